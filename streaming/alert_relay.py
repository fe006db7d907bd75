"""Embedded profile only: brings alerts fired by another process to this process's sockets.

Without Redis the channel layer lives in one process's memory, and rules are mostly
evaluated in the task cluster or stream_prices, so their alert frames would reach no
socket. While an authenticated socket is open here, this looks every WS_RELAY_INTERVAL_S
for newer firings of its user's rules (websocket target on) and sends them to the user's
group locally. The consumer drops a firing it has already sent, so one that arrives both
ways is sent once. With REDIS_URL it stays off (every process shares the layer).
"""

import asyncio
import logging
from collections import Counter
from datetime import datetime

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.utils import timezone

from alerts.events import ALERT_EVENT, alert_group_for
from alerts.models import Firing

logger = logging.getLogger(__name__)

_users: Counter[int] = Counter()
_state: dict = {"task": None, "since": None}


def enabled() -> bool:
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def on_socket_opened(sender, *, user_pk: int, **kwargs) -> None:
    if not enabled():
        return
    _users[user_pk] += 1
    task, loop = _state["task"], asyncio.get_running_loop()
    if task is None or task.done() or task.get_loop() is not loop:
        _state["since"] = timezone.now()
        _state["task"] = loop.create_task(_run(), name="alerts-relay")


def on_socket_closed(sender, *, user_pk: int, **kwargs) -> None:
    if user_pk not in _users:
        return
    _users[user_pk] -= 1
    if _users[user_pk] <= 0:
        del _users[user_pk]


def _poll(since: datetime) -> list[tuple[datetime, int, dict]]:
    rows = (
        Firing.objects.filter(rule__user_id__in=list(_users), rule__notify_websocket=True, fired_at__gt=since)
        .order_by("fired_at")
        .values_list("fired_at", "rule__user_id", "payload")[:500]
    )
    return list(rows)


async def _run() -> None:
    layer = get_channel_layer()
    while _users:
        await asyncio.sleep(settings.WS_RELAY_INTERVAL_S)
        try:
            for fired_at, user_pk, payload in await database_sync_to_async(_poll)(_state["since"]):
                _state["since"] = max(_state["since"], fired_at)
                await layer.group_send(alert_group_for(user_pk), {"type": ALERT_EVENT, "alert": payload})
        except Exception as exc:  # a database hiccup must not end the relay for good
            logger.warning("alert relay poll failed: %s: %s", exc.__class__.__name__, exc)
    _state["task"] = None

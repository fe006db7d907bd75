"""Embedded profile only: brings prices stored by another process to this process's clients.

Without Redis the channel layer lives in one process's memory, so a broadcast made by the
collector (the django-q2 cluster, or stream_prices) never reaches the web process. The
relay, started by the first subscription, looks every WS_RELAY_INTERVAL_S for newer
latest quotes of the coins this process's clients follow (only after the shared data
version says prices changed) and hands them to this process's fan-out (streaming.fanout). Clients drop a price they have
already seen, so a price that arrives both ways is sent once. With REDIS_URL it stays off.

The process that stores prices also sends a wake-up datagram (streaming.wake), so the
relay looks at once rather than at its next poll; the poll stays as the fallback.
"""

import asyncio
import logging
from collections import Counter
from datetime import datetime

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings

from cryptodt import data_cache
from streaming import fanout, wake
from streaming.selectors import latest_price_events

logger = logging.getLogger(__name__)

_interest: Counter[int] = Counter()
_seen: dict[int, datetime] = {}
_state: dict = {"task": None, "version": None}
# Wake-ups coming closer than this are served by one query (a collector storing in batches).
WAKE_COALESCE_S = 0.01


def enabled() -> bool:
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def follow(coin_pks) -> None:
    _interest.update(coin_pks)
    if enabled():
        _ensure_running()


def unfollow(coin_pks) -> None:
    for pk in coin_pks:
        _interest[pk] -= 1
        if _interest[pk] <= 0:
            del _interest[pk]
            _seen.pop(pk, None)
    task = _state["task"]
    if not _interest and task is not None and not task.done() and task.get_loop() is asyncio.get_running_loop():
        task.cancel()  # nobody follows anything: no reason to poll until the next subscription
        _state["task"] = None  # a subscription arriving before the cancel lands starts a new one


def _ensure_running() -> None:
    task = _state["task"]
    loop = asyncio.get_running_loop()
    if task is not None and not task.done() and task.get_loop() is loop:
        return
    _state["version"] = None
    _state["task"] = loop.create_task(_run(), name="streaming-relay")


def _poll(woken: bool = False) -> list[tuple[datetime, dict]]:
    # The version is read before the query: a price committed after the query bumps it
    # again, so the next poll cannot miss it. A wake-up comes before the storer bumps the
    # version (prices_stored fires on commit), so it queries regardless.
    version = data_cache.version("prices")
    if not woken and version is not None and version == _state["version"]:
        return []
    events = latest_price_events(coin_pks=list(_interest), newer_than=dict(_seen))
    _state["version"] = version
    return events


async def _run() -> None:
    woken = asyncio.Event()
    transport = await wake.listen(woken)
    try:
        while _interest:
            try:
                await asyncio.wait_for(woken.wait(), settings.WS_RELAY_INTERVAL_S)
            except TimeoutError:
                pass
            if woken.is_set():
                await asyncio.sleep(WAKE_COALESCE_S)
            was_woken = woken.is_set()
            woken.clear()
            try:
                events = await database_sync_to_async(_poll)(was_woken)
                for t, event in events:
                    _seen[event["coin"]] = t
                fanout.registry().deliver([event for _, event in events])
            except Exception as exc:  # a database hiccup must not end the relay for good
                logger.warning("price relay poll failed: %s: %s", exc.__class__.__name__, exc)
    finally:
        wake.stop_listening(transport)

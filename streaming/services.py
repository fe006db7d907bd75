"""Pushing new prices to the WebSocket clients that follow their coins."""

import logging
from collections.abc import Sequence

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from markets.models import PriceSnapshot
from streaming import wake
from streaming.frames import PRICE_BATCH, PRICES_GROUP, price_event
from streaming.selectors import FEED_VS

logger = logging.getLogger(__name__)


def broadcast_prices(*, snapshots: Sequence[PriceSnapshot]) -> int:
    """Send the coins' new USD prices, as one message, to every web process's fan-out
    (streaming.fanout) through the channel layer (Redis reaches every web process; the
    in-memory layer only this one, see streaming.relay).

    Called after the ingest transaction commits. A broadcast that fails is logged, never
    raised: the prices are stored, and the relay or the next tick delivers a newer one.
    """
    layer = get_channel_layer()
    if layer is None:
        return 0
    events = [price_event(snap) for snap in snapshots if snap.vs == FEED_VS]
    if not events:
        return 0
    try:
        return async_to_sync(_send_all)(layer, events)
    except Exception as exc:  # the channel layer being down must not undo stored prices
        logger.warning("price broadcast failed: %s: %s", exc.__class__.__name__, exc)
        return 0


def on_prices_stored(sender, *, snapshots: Sequence[PriceSnapshot], **kwargs) -> None:
    broadcast_prices(snapshots=snapshots)
    if isinstance(get_channel_layer(), InMemoryChannelLayer):
        # This process's broadcast reaches only its own sockets: tell the web processes' relays.
        wake.notify()


async def _send_all(layer, events: list[dict]) -> int:
    await layer.group_send(PRICES_GROUP, {"type": PRICE_BATCH, "events": events})
    return len(events)

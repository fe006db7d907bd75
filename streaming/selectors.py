"""Reads behind the price feed: symbols to coins, and the latest USD price of coins."""

from collections.abc import Iterable
from datetime import datetime

from markets.models import LatestQuote
from streaming.frames import price_event

FEED_VS = "usd"


def latest_price_events(
    *, coin_pks: Iterable[int], newer_than: dict[int, datetime] | None = None
) -> list[tuple[datetime, dict]]:
    """(time, channel-layer price event) of the coins' latest USD quotes, only those newer
    than ``newer_than[coin]`` when given."""
    quotes = LatestQuote.objects.filter(coin_id__in=list(coin_pks), vs=FEED_VS).select_related("coin")
    events = []
    for quote in quotes:
        if newer_than is not None and quote.coin_id in newer_than and quote.t <= newer_than[quote.coin_id]:
            continue
        events.append((quote.t, price_event(quote)))
    return events

"""Reads behind the price feed: symbols to coins, and the latest USD price of coins."""

from collections.abc import Iterable
from datetime import datetime

from markets.models import Coin, LatestQuote
from markets.services.registry import by_largest_market_cap
from streaming.frames import price_event

FEED_VS = "usd"


def coins_for_symbols(*, symbols: Iterable[str]) -> tuple[list[Coin], list[str]]:
    """The coins the symbols name (case-insensitive, the largest coin of a shared symbol),
    in the order asked, and the symbols no coin has."""
    wanted = list(dict.fromkeys(s.upper() for s in symbols))
    owners = by_largest_market_cap(Coin.objects.filter(symbol__in=wanted))
    return [owners[s] for s in wanted if s in owners], [s for s in wanted if s not in owners]


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
        events.append(
            (
                quote.t,
                price_event(
                    coin_pk=quote.coin_id,
                    symbol=quote.coin.symbol,
                    price=quote.price,
                    change_24h_pct=quote.change_24h_pct,
                    t=quote.t,
                    source=quote.source,
                ),
            )
        )
    return events

"""Failover per capability: ask the configured providers in order until one answers.

CONTRACT (implemented by the provider-layer work; markets.services and the management
commands call only these functions). Each returns ``Fetched(provider=..., data=...)``
from the first healthy provider that answered with a valid payload, and raises
``AllProvidersFailed`` when none did. Nothing here touches the ORM.
"""

from collections.abc import Sequence
from datetime import datetime

from markets.providers.records import (
    Candle,
    ChainTVL,
    CoinListing,
    CoinRef,
    FearGreedPoint,
    Fetched,
    GlobalStats,
    MarketRow,
    PricePoint,
    ProtocolTVL,
    Quote,
    TrendingEntry,
    TVLPoint,
)


class AllProvidersFailed(Exception):
    """Every provider for a capability failed, was open-circuited or out of budget."""

    def __init__(self, capability: str, reasons: dict[str, str]):
        super().__init__(f"no provider could serve {capability}: {reasons}")
        self.capability = capability
        self.reasons = reasons


def fetch_prices(coins: Sequence[CoinRef], *, vs: str = "usd") -> Fetched[list[Quote]]:
    raise NotImplementedError


def fetch_markets(*, limit: int, vs: str = "usd") -> Fetched[list[MarketRow]]:
    raise NotImplementedError


def fetch_coin_list() -> Fetched[list[CoinListing]]:
    raise NotImplementedError


def fetch_candles(
    coin: CoinRef, *, interval: str, start: datetime | None = None, end: datetime | None = None, limit: int = 500
) -> Fetched[list[Candle]]:
    raise NotImplementedError


def fetch_price_history(coin: CoinRef, *, days: int, vs: str = "usd") -> Fetched[list[PricePoint]]:
    raise NotImplementedError


def fetch_trending() -> Fetched[list[TrendingEntry]]:
    raise NotImplementedError


def fetch_global() -> Fetched[GlobalStats]:
    raise NotImplementedError


def fetch_protocols() -> Fetched[list[ProtocolTVL]]:
    raise NotImplementedError


def fetch_chains() -> Fetched[list[ChainTVL]]:
    raise NotImplementedError


def fetch_protocol_tvl(slug: str) -> Fetched[list[TVLPoint]]:
    raise NotImplementedError


def fetch_fear_greed(*, limit: int = 1) -> Fetched[list[FearGreedPoint]]:
    raise NotImplementedError

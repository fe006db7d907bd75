"""Failover per capability: ask the configured providers in order until one answers.

CONTRACT (implemented by the provider-layer work; markets.services and the management
commands call only these functions). Each returns ``Fetched(provider=..., data=...)``
from the first healthy provider that answered with a valid payload, and raises
``AllProvidersFailed`` when none did. Nothing here touches the ORM.

Every function also takes ``timeout: float | None = None`` (seconds per upstream request,
default PROVIDER_TIMEOUT_S), so the request path can fetch an untracked coin on demand
with a short timeout.
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


def fetch_prices(coins: Sequence[CoinRef], *, vs: str = "usd", timeout: float | None = None) -> Fetched[list[Quote]]:
    raise NotImplementedError


def fetch_markets(*, limit: int, vs: str = "usd", timeout: float | None = None) -> Fetched[list[MarketRow]]:
    raise NotImplementedError


def fetch_coin_list(*, timeout: float | None = None) -> Fetched[list[CoinListing]]:
    raise NotImplementedError


def fetch_candles(
    coin: CoinRef,
    *,
    interval: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
    timeout: float | None = None,
) -> Fetched[list[Candle]]:
    raise NotImplementedError


def fetch_price_history(
    coin: CoinRef, *, days: int, vs: str = "usd", timeout: float | None = None
) -> Fetched[list[PricePoint]]:
    raise NotImplementedError


def fetch_trending(*, timeout: float | None = None) -> Fetched[list[TrendingEntry]]:
    raise NotImplementedError


def fetch_global(*, timeout: float | None = None) -> Fetched[GlobalStats]:
    raise NotImplementedError


def fetch_protocols(*, timeout: float | None = None) -> Fetched[list[ProtocolTVL]]:
    raise NotImplementedError


def fetch_chains(*, timeout: float | None = None) -> Fetched[list[ChainTVL]]:
    raise NotImplementedError


def fetch_protocol_tvl(slug: str, *, timeout: float | None = None) -> Fetched[list[TVLPoint]]:
    raise NotImplementedError


def fetch_fear_greed(*, limit: int = 1, timeout: float | None = None) -> Fetched[list[FearGreedPoint]]:
    raise NotImplementedError


def fetch_exchange_pairs(*, timeout: float | None = None) -> dict[str, dict[str, str]]:
    """USD(T) trading pairs each exchange lists, by upper-case symbol:
    ``{"binance": {"BTC": "BTCUSDT", ...}, "kraken": {"BTC": "XXBTZUSD", ...}}``.
    An exchange that cannot be reached is left out rather than failing the whole call."""
    raise NotImplementedError

"""Failover per capability: ask the configured providers in order until one answers.

CONTRACT (implemented by the provider-layer work; markets.services and the management
commands call only these functions). Each returns ``Fetched(provider=..., data=...)``
from the first healthy provider that answered with a valid payload, and raises
``AllProvidersFailed`` when none did. Nothing here touches the ORM.

Every function also takes ``timeout: float | None = None`` (seconds per upstream request,
default PROVIDER_TIMEOUT_S), so the request path can fetch an untracked coin on demand
with a short timeout.

A provider is skipped without a request when it is disabled, its circuit is open, it is
cooling down after a 429 or its budget is spent. A failure (error, timeout, rejected
payload) is counted against it and the next provider is asked in the same call.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from cryptodt import metrics
from providers import breaker, config, stats, strategy
from providers.errors import InvalidPayload, ProviderError
from providers.records import (
    AssetPlatform,
    Candle,
    ChainTVL,
    CoinCategory,
    CoinListing,
    CoinProfile,
    CoinRef,
    Exchange,
    ExchangeRate,
    FearGreedPoint,
    Fetched,
    GlobalDefi,
    GlobalStats,
    MarketRow,
    PricePoint,
    ProtocolTVL,
    Quote,
    TrendingEntry,
    TVLPoint,
)
from providers.registry import PROVIDERS

logger = logging.getLogger("providers")
T = TypeVar("T")


class AllProvidersFailed(Exception):
    """Every provider for a capability failed, was open-circuited or out of budget."""

    def __init__(self, capability: str, reasons: dict[str, str]):
        super().__init__(f"no provider could serve {capability}: {reasons}")
        self.capability = capability
        self.reasons = reasons


def _attempt(name: str, capability: str, call: Callable[[object], T], reasons: dict[str, str]) -> T | None:
    """Ask one provider under its breaker; None (with the reason noted) when it did not answer."""
    refusal = PROVIDERS[name].unavailable() or breaker.admit(name)
    if refusal:
        reasons[name] = refusal
        return None
    try:
        data = call(PROVIDERS[name])
    except ProviderError as exc:
        reasons[name] = exc.reason
        if exc.counts_as_failure:
            breaker.record_failure(name)
            metrics.provider_failure(name, exc.endpoint, exc)
            stats.record_error(name, exc.endpoint, exc.reason, invalid_payload=isinstance(exc, InvalidPayload))
        else:
            breaker.release_probe(name)
            logger.info("provider %s skipped for %s: %s", name, capability, exc.reason)
        return None
    breaker.record_success(name)
    stats.record_success(name)
    return data


def _failover(capability: str, call: Callable[[object], T]) -> Fetched[T]:
    reasons: dict[str, str] = {}
    for name in strategy.ordered(capability):
        started = time.perf_counter()
        data = _attempt(name, capability, call, reasons)
        if data is not None:
            return Fetched(provider=name, data=data, latency_ms=(time.perf_counter() - started) * 1000)
    raise AllProvidersFailed(capability, reasons or {"-": "no provider enabled"})


def fetch_prices(coins: Sequence[CoinRef], *, vs: str = "usd", timeout: float | None = None) -> Fetched[list[Quote]]:
    """Each provider in order is asked for the coins still missing: Binance's one
    ticker call for the coins it lists, CoinGecko in batches for the rest, then the
    fallbacks. ``provider`` names every provider that contributed, first one first;
    each Quote's ``source`` names its own."""
    by_id = {coin.coin_id: coin for coin in coins}
    missing = list(by_id.values())
    quotes: list[Quote] = []
    contributors: list[str] = []
    reasons: dict[str, str] = {}
    started = time.perf_counter()
    for name in strategy.ordered("prices"):
        if not missing:
            break
        got = _attempt(name, "prices", lambda p, pending=missing: p.quotes(pending, vs=vs, timeout=timeout), reasons)
        if not got:
            continue
        got = [replace(q, coin_id=by_id[q.coin_id].coin_id, source=q.source or name) for q in got if q.coin_id in by_id]
        answered = {q.coin_id for q in got}
        quotes += got
        contributors.append(name)
        missing = [coin for coin in missing if coin.coin_id not in answered]
    if not quotes and coins:
        raise AllProvidersFailed("prices", reasons or {"-": "no provider enabled"})
    return Fetched(provider=",".join(contributors), data=quotes, latency_ms=(time.perf_counter() - started) * 1000)


def fetch_markets(*, limit: int, vs: str = "usd", timeout: float | None = None) -> Fetched[list[MarketRow]]:
    return _failover("markets", lambda p: p.markets(limit=limit, vs=vs, timeout=timeout))


def _only(name: str, capability: str, call: Callable[[object], T]) -> Fetched[T]:
    """A capability one provider alone serves; still under its breaker and budget."""
    reasons: dict[str, str] = {}
    started = time.perf_counter()
    if not config.provider(name).enabled:
        raise AllProvidersFailed(capability, {name: "disabled"})
    data = _attempt(name, capability, call, reasons)
    if data is None:
        raise AllProvidersFailed(capability, reasons)
    return Fetched(provider=name, data=data, latency_ms=(time.perf_counter() - started) * 1000)


def fetch_coin_profile(coin_id: str, *, timeout: float | None = None) -> Fetched[CoinProfile]:
    """Only CoinGecko describes a coin (coins/{id})."""
    return _only("coingecko", "coin_profile", lambda p: p.coin_profile(coin_id, timeout=timeout))


def fetch_categories(*, timeout: float | None = None) -> Fetched[list[CoinCategory]]:
    """CoinGecko's coin categories with their market figures."""
    return _only("coingecko", "categories", lambda p: p.categories(timeout=timeout))


def fetch_category_markets(category_id: str, *, timeout: float | None = None) -> Fetched[list[MarketRow]]:
    """The top coins of one of CoinGecko's categories: only CoinGecko knows its members."""
    return _only("coingecko", "markets", lambda p: p.category_markets(category_id, timeout=timeout))


def fetch_asset_platforms(*, timeout: float | None = None) -> Fetched[list[AssetPlatform]]:
    """CoinGecko's chains, the keys of its coins' platforms."""
    return _only("coingecko", "asset_platforms", lambda p: p.asset_platforms(timeout=timeout))


def fetch_exchanges(*, timeout: float | None = None) -> Fetched[list[Exchange]]:
    """CoinGecko's spot exchange directory, every page of /exchanges."""
    return _only("coingecko", "exchanges", lambda p: p.exchanges(timeout=timeout))


def fetch_global_defi(*, timeout: float | None = None) -> Fetched[GlobalDefi]:
    """CoinGecko's DeFi market cap and dominance."""
    return _only("coingecko", "global_defi", lambda p: p.global_defi(timeout=timeout))


def fetch_exchange_rates(*, timeout: float | None = None) -> Fetched[list[ExchangeRate]]:
    """CoinGecko's BTC-denominated rates of fiat and crypto currencies."""
    return _only("coingecko", "exchange_rates", lambda p: p.exchange_rates(timeout=timeout))


def fetch_coin_list(*, timeout: float | None = None) -> Fetched[list[CoinListing]]:
    return _failover("coin_list", lambda p: p.coin_list(timeout=timeout))


def fetch_candles(
    coin: CoinRef,
    *,
    interval: str,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 500,
    timeout: float | None = None,
) -> Fetched[list[Candle]]:
    return _failover(
        "candles",
        lambda p: p.candles(coin, interval=interval, start=start, end=end, limit=limit, timeout=timeout),
    )


def fetch_price_history(
    coin: CoinRef, *, days: int, vs: str = "usd", timeout: float | None = None
) -> Fetched[list[PricePoint]]:
    return _failover("price_history", lambda p: p.price_history(coin, days=days, vs=vs, timeout=timeout))


def fetch_trending(*, timeout: float | None = None) -> Fetched[list[TrendingEntry]]:
    return _failover("trending", lambda p: p.trending(timeout=timeout))


def fetch_global(*, timeout: float | None = None) -> Fetched[GlobalStats]:
    return _failover("global", lambda p: p.global_stats(timeout=timeout))


def fetch_protocols(*, timeout: float | None = None) -> Fetched[list[ProtocolTVL]]:
    return _failover("defi", lambda p: p.protocols(timeout=timeout))


def fetch_chains(*, timeout: float | None = None) -> Fetched[list[ChainTVL]]:
    return _failover("defi", lambda p: p.chains(timeout=timeout))


def fetch_protocol_tvl(slug: str, *, timeout: float | None = None) -> Fetched[list[TVLPoint]]:
    return _failover("defi", lambda p: p.protocol_tvl(slug, timeout=timeout))


def fetch_fear_greed(*, limit: int = 1, timeout: float | None = None) -> Fetched[list[FearGreedPoint]]:
    return _failover("fear_greed", lambda p: p.fear_greed(limit=limit, timeout=timeout))


def fetch_news(*, timeout: float | None = None) -> Fetched[list]:
    """News from every enabled news provider (gathered, not failed over: each one adds
    articles the others lack). ``provider`` names those that answered; ``AllProvidersFailed``
    only when none did. Items are ``providers.news_records.NewsItem``."""
    items: list = []
    contributors: list[str] = []
    reasons: dict[str, str] = {}
    started = time.perf_counter()
    for name in strategy.ordered("news"):
        got = _attempt(name, "news", lambda p: p.news(timeout=timeout), reasons)
        if got is not None:
            items += [replace(item, provider=name) for item in got]
            contributors.append(name)
    if not contributors:
        raise AllProvidersFailed("news", reasons or {"-": "no provider enabled"})
    return Fetched(provider=",".join(contributors), data=items, latency_ms=(time.perf_counter() - started) * 1000)


def fetch_exchange_pairs(*, timeout: float | None = None) -> dict[str, dict[str, str]]:
    """USD(T) trading pairs each exchange lists, by upper-case symbol:
    ``{"binance": {"BTC": "BTCUSDT", ...}, "kraken": {"BTC": "XXBTZUSD", ...}}``.
    An exchange that cannot be reached is left out rather than failing the whole call."""
    pairs: dict[str, dict[str, str]] = {}
    reasons: dict[str, str] = {}
    for name in strategy.ordered("exchange_pairs"):
        got = _attempt(name, "exchange_pairs", lambda p: p.exchange_pairs(timeout=timeout), reasons)
        if got is not None:
            pairs[name] = got
    return pairs

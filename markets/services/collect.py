"""Collection steps: ask the provider router, store what it answers.

Each step is a small function the commands, the scheduled tasks and the tests call.
A step returns a ``StepResult``; a failing provider or an impossible payload is a
failed step (reported, nothing stored), never an exception that stops other steps.
"""

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches

from markets import selectors
from markets.models import Coin, Protocol
from markets.services import (
    categories,
    exchanges,
    ingest,
    ingest_defi,
    ingest_history,
    ingest_overview,
    profiles,
    rates,
    registry,
)
from markets.services.rollup import rollup_hours
from providers import router
from providers.observe import cycle_summary
from providers.plan import plan_schedule
from providers.steps import NothingToCollect, StepResult, run_step
from providers.validation import InvalidRecord

logger = logging.getLogger(__name__)


def refresh_registry(*, timeout: float | None = None) -> StepResult:
    def step():
        listing = router.fetch_coin_list(timeout=timeout)
        stored = registry.upsert_listings(listings=listing.data)
        pairs = router.fetch_exchange_pairs(timeout=timeout)
        registry.assign_exchange_pairs(pairs=pairs)
        return stored, listing.provider

    return run_step("registry", step)


def collect_markets(*, limit: int | None = None, timeout: float | None = None) -> StepResult:
    """Top coins by market cap: ranks, the tracked set and a price for each."""

    def step():
        fetched = router.fetch_markets(limit=limit or settings.TRACKED_COINS, timeout=timeout)
        stored = ingest.ingest_market_rows(rows=fetched.data, source=fetched.provider, track=True)
        return stored, fetched.provider

    return run_step("markets", step)


def collect_prices(*, coins: Sequence[Coin] | None = None, timeout: float | None = None) -> StepResult:
    def step():
        wanted = list(coins) if coins is not None else selectors.tracked_coins(limit=settings.TRACKED_COINS)
        if not wanted:
            raise NothingToCollect("no tracked coins yet (collect_markets tracks the top TRACKED_COINS)")
        fetched = router.fetch_prices([registry.coin_ref(c) for c in wanted], timeout=timeout)
        return ingest.ingest_quotes(quotes=fetched.data, source=fetched.provider), fetched.provider

    return run_step("prices", step)


def collect_global(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_global(timeout=timeout)
        return ingest_overview.ingest_global(stats=fetched.data, source=fetched.provider), fetched.provider

    return run_step("global", step)


def collect_exchange_rates(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_exchange_rates(timeout=timeout)
        return rates.ingest_exchange_rates(rates=fetched.data, source=fetched.provider), fetched.provider

    return run_step("exchange_rates", step)


def collect_categories(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_categories(timeout=timeout)
        return categories.ingest_categories(categories=fetched.data, source=fetched.provider), fetched.provider

    return run_step("categories", step)


def collect_asset_platforms(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_asset_platforms(timeout=timeout)
        return categories.ingest_asset_platforms(platforms=fetched.data, source=fetched.provider), fetched.provider

    return run_step("asset_platforms", step)


def collect_exchanges(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_exchanges(timeout=timeout)
        return exchanges.ingest_exchanges(exchanges=fetched.data, source=fetched.provider), fetched.provider

    return run_step("exchanges", step)


def collect_global_defi(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_global_defi(timeout=timeout)
        return categories.ingest_global_defi(defi=fetched.data, source=fetched.provider), fetched.provider

    return run_step("global_defi", step)


def collect_trending(*, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_trending(timeout=timeout)
        return ingest_overview.ingest_trending(entries=fetched.data, source=fetched.provider), fetched.provider

    return run_step("trending", step)


def collect_ohlcv(
    *, coins: Sequence[Coin] | None = None, intervals: Sequence[str] | None = None, limit: int = 200
) -> list[StepResult]:
    """Candles for the most-watched coins (the top OHLCV_COINS tracked ones)."""
    wanted = list(coins) if coins is not None else selectors.tracked_coins(limit=settings.OHLCV_COINS)
    results = []
    for coin in wanted:
        for interval in intervals or settings.OHLCV_INTERVALS:

            def step(coin=coin, interval=interval):
                fetched = router.fetch_candles(registry.coin_ref(coin), interval=interval, limit=limit)
                stored = ingest_history.ingest_candles(
                    coin=coin, interval=interval, candles=fetched.data, source=fetched.provider
                )
                return stored, fetched.provider

            results.append(run_step(f"ohlcv {coin.symbol} {interval}", step))
    return results


def collect_defi(*, timeout: float | None = None) -> list[StepResult]:
    def protocols():
        fetched = router.fetch_protocols(timeout=timeout)
        return ingest_defi.ingest_protocols(protocols=fetched.data, source=fetched.provider), fetched.provider

    def chains():
        fetched = router.fetch_chains(timeout=timeout)
        return ingest_defi.ingest_chains(chains=fetched.data, source=fetched.provider), fetched.provider

    return [run_step("defi protocols", protocols), run_step("defi chains", chains)]


def collect_protocol_tvl(*, protocol: Protocol, timeout: float | None = None) -> StepResult:
    def step():
        fetched = router.fetch_protocol_tvl(protocol.slug, timeout=timeout)
        return ingest_defi.ingest_protocol_tvl(protocol=protocol, points=fetched.data, source=fetched.provider), (
            fetched.provider
        )

    return run_step(f"tvl {protocol.slug}", step)


def collect_all(*, due_only: bool = False, timeout: float | None = None) -> list[StepResult]:
    """One cycle for the top TRACKED_COINS, then the hourly roll-up.

    Live prices every cycle (the router asks Binance's all-market ticker first). The
    ranked CoinGecko listing (ranks, caps, the tracked set — and a price for each coin),
    global stats and trending cost calls from CoinGecko's monthly budget, so with
    ``due_only`` (the schedule) each runs only when the provider plan's interval for it
    has passed; the listing also runs whenever nothing is tracked yet.
    """
    started = time.perf_counter()
    results = []
    listed = False
    if not due_only or _due("markets") or not selectors.tracked_coins(limit=1):
        markets = _settle("markets", collect_markets(timeout=timeout))
        results.append(markets)
        listed = markets.ok
    if not listed:
        results.append(collect_prices(timeout=timeout))
    if not due_only or _due("global"):
        results.append(_settle("global", collect_global(timeout=timeout)))
    if not due_only or _due("trending"):
        results.append(_settle("trending", collect_trending(timeout=timeout)))
    if not due_only or _due("exchange_rates"):
        results.append(_settle("exchange_rates", collect_exchange_rates(timeout=timeout)))
    if not due_only or _due("categories"):
        results.append(_settle("categories", collect_categories(timeout=timeout)))
    if not due_only or _due("global_defi"):
        results.append(_settle("global_defi", collect_global_defi(timeout=timeout)))
    if not due_only or _due("asset_platforms"):
        results.append(_settle("asset_platforms", collect_asset_platforms(timeout=timeout)))
    results.append(StepResult("rollup", stored=rollup_hours(), housekeeping=True))
    cycle_summary("collect_all", results, started=started)
    return results


def plan_interval(task: str) -> int:
    """Seconds between runs of a collection task, from the provider layer's budget plan."""
    return plan_schedule().tasks[task].interval_s


def _due(task: str) -> bool:
    """True at most once per planned interval (a key in the shared cache marks the last run)."""
    return caches["shared"].add(f"collect:ran:{task}", 1, max(1, plan_interval(task) - 30))


def _settle(task: str, result: StepResult) -> StepResult:
    if not result.ok:  # a failed run is retried on the next cycle, not a whole interval later
        caches["shared"].delete(f"collect:ran:{task}")
    return result


FREE_HISTORY_DAYS = 365  # CoinGecko's keyless and demo history ends here


def backfill(
    *, coins: Sequence[Coin], days: int, now: datetime | None = None, timeout: float | None = None
) -> list[StepResult]:
    """Fill the hours missing from the last ``days``, fetching only coins with gaps.

    Resumable: what is stored is never fetched again, so an interrupted run (budget spent,
    provider down) continues where it stopped when run again.
    """
    now = now or datetime.now(UTC)
    results = []
    for coin in coins:
        gaps = ingest_history.history_gaps(coin=coin, days=days, now=now)
        if not gaps:
            results.append(StepResult(f"backfill {coin.symbol}", stored=0, provider="already stored"))
            continue
        span = max(1, min(days, (now - gaps[0][0]).days + 1))

        def step(coin=coin, span=span, gaps=gaps):
            # The free year first (CoinGecko, with market cap and volume); beyond it CoinGecko
            # declines and exchanges' daily candles (Binance since 2017, Kraken, Coinbase) fill
            # only the hours still missing, each row keeping the provider it came from.
            stored, sources, covered_from = 0, [], gaps[0][0]
            for window in sorted({min(span, FREE_HISTORY_DAYS), span}):
                try:
                    fetched = router.fetch_price_history(registry.coin_ref(coin), days=window, timeout=timeout)
                except router.AllProvidersFailed:
                    if not sources:
                        raise
                    # The free year is stored; the older part is asked again next run.
                    covered_from = max(covered_from, now - timedelta(days=FREE_HISTORY_DAYS))
                    break
                wanted = [p for p in fetched.data if any(a <= p.t < b for a, b in gaps)]
                stored += ingest_history.ingest_history_points(coin=coin, points=wanted, source=fetched.provider)
                sources.append(fetched.provider)
            ingest_history.mark_history_covered(coin=coin, start=covered_from, end=gaps[-1][1])
            return stored, ",".join(dict.fromkeys(sources))

        result = run_step(f"backfill {coin.symbol}", step)
        results.append(result)
        if not result.ok and "all providers failed" in (result.error or ""):
            break  # budgets spent or providers down: stop, the next run resumes here
    return results


def fetch_on_demand_quote(*, coin: Coin, vs: str) -> bool:
    """One short-timeout fetch for a coin the collector does not track."""
    timeout = settings.ON_DEMAND_TIMEOUT_S
    try:
        fetched = router.fetch_prices([registry.coin_ref(coin)], vs=vs, timeout=timeout)
        return ingest.ingest_quotes(quotes=fetched.data, source=fetched.provider) > 0
    except (router.AllProvidersFailed, InvalidRecord, NotImplementedError) as exc:
        logger.info("on-demand price for %s failed: %s", coin.coin_id, exc)
        return False


def fetch_on_demand_history(*, coin: Coin, days: int, vs: str = "usd") -> bool:
    try:
        fetched = router.fetch_price_history(
            registry.coin_ref(coin), days=min(days, 90), vs=vs, timeout=settings.ON_DEMAND_TIMEOUT_S
        )
        return ingest_history.ingest_history_points(coin=coin, points=fetched.data, source=fetched.provider, vs=vs) > 0
    except (router.AllProvidersFailed, InvalidRecord, NotImplementedError) as exc:
        logger.info("on-demand history for %s failed: %s", coin.coin_id, exc)
        return False


def fetch_on_demand_candles(*, coin: Coin, interval: str, start: datetime | None, end: datetime | None) -> bool:
    try:
        fetched = router.fetch_candles(
            registry.coin_ref(coin), interval=interval, start=start, end=end, timeout=settings.ON_DEMAND_TIMEOUT_S
        )
        stored = ingest_history.ingest_candles(
            coin=coin, interval=interval, candles=fetched.data, source=fetched.provider
        )
        return stored > 0
    except (router.AllProvidersFailed, InvalidRecord, NotImplementedError) as exc:
        logger.info("on-demand %s candles for %s failed: %s", interval, coin.coin_id, exc)
        return False


def fetch_on_demand_profile(*, coin_id: str) -> bool:
    """CoinGecko's description of a coin (coins/{id}), asked once and stored (CoinProfile);
    a coin the registry did not know is added from it."""
    try:
        fetched = router.fetch_coin_profile(coin_id, timeout=settings.ON_DEMAND_TIMEOUT_S)
        return profiles.ingest_profile(coin_id=coin_id, profile=fetched.data, source=fetched.provider)
    except (router.AllProvidersFailed, InvalidRecord, NotImplementedError) as exc:
        logger.info("on-demand profile for %s failed: %s", coin_id, exc)
        return False


def fetch_on_demand_quotes(*, coins: list[Coin], vs: str) -> bool:
    """One short-timeout fetch for several coins the collector does not track."""
    try:
        fetched = router.fetch_prices(
            [registry.coin_ref(c) for c in coins], vs=vs, timeout=settings.ON_DEMAND_TIMEOUT_S
        )
        return ingest.ingest_quotes(quotes=fetched.data, source=fetched.provider) > 0
    except (router.AllProvidersFailed, InvalidRecord, NotImplementedError) as exc:
        logger.info("on-demand prices for %d coins failed: %s", len(coins), exc)
        return False

"""Budget planning: how often each collection task may run so that no provider's free tier
is ever exceeded, for a given TRACKED_COINS and COLLECT_INTERVAL_S.

The binding constraint of a default install is CoinGecko's monthly cap (~10,000 calls):
1,000 coins are 4 coins/markets pages, which every 5 minutes would be ~35,000 calls a
month. So live prices come from Binance's one all-market ticker call every cycle (weight
80 of 6,000 a minute, no monthly cap), and the CoinGecko tasks are spaced out to fit the
planned share (PROVIDER_PLAN_SHARE) of its month; the rest stays free for on-demand
requests. setup_schedules reads ``plan_schedule().tasks[...].interval_s``.
"""

import math
from dataclasses import dataclass, field, replace

from django.conf import settings

from providers import binance, coingecko, coingecko_exchanges

MONTH_S = 30 * 86400


@dataclass(frozen=True)
class TaskPlan:
    name: str
    interval_s: int
    calls: dict[str, int]  # per run, by provider (Binance: request weight)
    what: str
    # The command spreads its calls evenly over this many seconds (0: all at once), so a
    # long per-coin task never takes a whole minute's budget in one burst.
    spread_s: int = 0

    def per_month(self, provider: str) -> int:
        return math.ceil(self.calls.get(provider, 0) * MONTH_S / self.interval_s)

    def per_minute(self, provider: str) -> int:
        return math.ceil(self.calls.get(provider, 0) / max(1, self.spread_s // 60))


@dataclass(frozen=True)
class ProviderLoad:
    name: str
    per_minute: int  # worst case: every task's calls land in the same minute
    per_minute_limit: int
    per_month: int
    per_month_limit: int | None

    @property
    def fits(self) -> bool:
        return self.per_minute <= self.per_minute_limit and (
            self.per_month_limit is None or self.per_month <= self.per_month_limit
        )


@dataclass(frozen=True)
class Plan:
    tracked_coins: int
    collect_interval_s: int
    tasks: dict[str, TaskPlan]
    providers: dict[str, ProviderLoad] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        return all(load.fits for load in self.providers.values())


def _round_up(seconds: float, step: int) -> int:
    return max(step, math.ceil(seconds / step) * step)


def plan_schedule(
    *,
    tracked_coins: int | None = None,
    collect_interval_s: int | None = None,
    budgets: dict[str, tuple[int, int | None]] | None = None,
    share: float | None = None,
) -> Plan:
    coins = tracked_coins or settings.TRACKED_COINS
    cycle = collect_interval_s or settings.COLLECT_INTERVAL_S
    budgets = budgets or _configured_budgets()
    share = share or settings.PROVIDER_PLAN_SHARE
    pages = math.ceil(coins / coingecko.PAGE_SIZE)
    ticker_weight = binance.ALL_MARKET_WEIGHT if coins > 100 else binance.ticker_weight(coins)
    # Fixed tasks keep their cadence unless the budget cannot even carry them; "markets"
    # (the CoinGecko refresh of every tracked coin) takes what is left.
    tasks = {
        "prices": TaskPlan("prices", cycle, {"binance": ticker_weight}, "live prices of Binance-listed coins"),
        "markets": TaskPlan("markets", cycle, {"coingecko": pages}, "rank, price, cap, volume of every tracked coin"),
        "global": TaskPlan("global", _round_up(3600, cycle), {"coingecko": 1}, "total market cap and dominance"),
        "trending": TaskPlan("trending", _round_up(3600, cycle), {"coingecko": 1}, "trending coins"),
        "exchange_rates": TaskPlan(
            "exchange_rates", _round_up(3600, cycle), {"coingecko": 1}, "BTC-relative exchange rates"
        ),
        "categories": TaskPlan(
            "categories", _round_up(3600, cycle), {"coingecko": 1}, "coin categories and their market figures"
        ),
        "global_defi": TaskPlan(
            "global_defi", _round_up(3600, cycle), {"coingecko": 1}, "DeFi market cap and dominance"
        ),
        "asset_platforms": TaskPlan(
            "asset_platforms", _round_up(86400, cycle), {"coingecko": 1}, "the chains coins have contracts on"
        ),
        "exchanges": TaskPlan(
            "exchanges",
            _round_up(86400, cycle),
            {"coingecko": coingecko_exchanges.EXPECTED_PAGES},
            "the exchange directory (coingecko /exchanges, every page, a minute apart)",
            spread_s=coingecko_exchanges.EXPECTED_PAGES * 60,
        ),
        "coin_list": TaskPlan("coin_list", _round_up(86400, cycle), {"coingecko": 1}, "the coin registry"),
        "exchange_pairs": TaskPlan(
            "exchange_pairs", _round_up(86400, cycle), {"binance": 20, "kraken": 1}, "exchange pair maps"
        ),
        "ohlcv": _ohlcv_task(coins, cycle, budgets.get("binance", (6000, None))[0]),
        "defi": TaskPlan("defi", _round_up(3600, cycle), {"defillama": 2}, "protocols and chains TVL"),
        "fear_greed": TaskPlan("fear_greed", _round_up(3600, cycle), {"alternative_me": 1}, "fear & greed index"),
        "news": TaskPlan(
            "news",
            _round_up(settings.SENTIMENT_INTERVAL_S, cycle),
            {"coindesk": 1, "rss": max(1, len(settings.NEWS_RSS_FEEDS))},
            "news articles (collect_sentiment)",
        ),
    }
    for provider, (_, per_month) in budgets.items():
        if per_month:
            tasks = _fit_month(tasks, provider, per_month * share, cycle)
    loads = {
        provider: ProviderLoad(
            name=provider,
            per_minute=sum(task.per_minute(provider) for task in tasks.values()),
            per_minute_limit=per_minute,
            per_month=sum(task.per_month(provider) for task in tasks.values()),
            per_month_limit=per_month,
        )
        for provider, (per_minute, per_month) in budgets.items()
    }
    return Plan(tracked_coins=coins, collect_interval_s=cycle, tasks=tasks, providers=loads)


def _ohlcv_task(coins: int, cycle: int, binance_per_minute: int) -> TaskPlan:
    """One klines call (weight 2) per tracked coin, paced to use at most half of Binance's
    minute so live prices always have room."""
    weight = 2 * coins
    minutes = math.ceil(weight / (binance_per_minute / 2))
    interval = _round_up(max(3600, minutes * 60), cycle)
    spread = 0 if minutes <= 1 else minutes * 60
    return TaskPlan("ohlcv", interval, {"binance": weight}, "candles of tracked coins", spread_s=spread)


def _fit_month(tasks: dict[str, TaskPlan], provider: str, allowance: float, cycle: int) -> dict[str, TaskPlan]:
    users = [task for task in tasks.values() if task.calls.get(provider)]
    flexible = [task for task in users if task.name == "markets"] or users
    fixed_load = sum(task.per_month(provider) for task in users if task not in flexible)
    room = allowance - fixed_load
    if room <= 0:  # even the fixed tasks do not fit: stretch everything alike
        flexible, room = users, allowance
    load = sum(task.per_month(provider) for task in flexible)
    if load <= room:
        return tasks
    stretch = load / room
    result = dict(tasks)
    for task in flexible:
        result[task.name] = replace(task, interval_s=_round_up(task.interval_s * stretch, cycle))
    return result


def _configured_budgets() -> dict[str, tuple[int, int | None]]:
    from providers import config

    return {
        name: (config.provider(name).budget_per_minute, config.provider(name).budget_per_month)
        for name in settings.PROVIDER_NAMES
    }

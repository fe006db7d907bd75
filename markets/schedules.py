"""markets' periodic jobs. Cadences that spend provider budgets come from the provider
layer's plan (providers.plan), so no free tier is exceeded."""

from django.conf import settings

from cryptodt.schedules import Planned
from markets.services.collect import plan_interval


def every(task: str) -> int:
    """Minutes between runs of a planned collection task."""
    return max(1, plan_interval(task) // 60)


def planned() -> list[Planned]:
    return [
        # Each cycle: live prices; the ranked listing, global and trending when the plan says they are due.
        Planned("collect_all", "markets.tasks.collect_all", max(1, settings.COLLECT_INTERVAL_S // 60)),
        Planned("collect_ohlcv", "markets.tasks.collect_ohlcv", every("ohlcv")),
        Planned("collect_defi", "markets.tasks.collect_defi", every("defi")),
        Planned("refresh_registry", "markets.tasks.refresh_registry", every("coin_list")),
        Planned("collect_exchanges", "markets.tasks.collect_exchanges", every("exchanges")),
        Planned("prune_history", "markets.tasks.prune_history", 24 * 60),
        Planned("backup_db", "markets.tasks.backup_db", 24 * 60),
    ]


def first_collection() -> list[tuple[int, str]]:
    """The first start's collections in dependency order: the coin registry and exchange
    pairs, then markets and prices (collect_all), candles of the tracked coins, DeFi, the
    exchange directory, and
    last a short backfill, queued as a task of its own so that a long one (many coins, a
    slow provider) holds neither the first collection nor the tour's data (sentiment slots
    in at 50)."""
    return [
        (10, "markets.tasks.refresh_registry"),
        (20, "markets.tasks.first_collect_all"),
        (30, "markets.tasks.collect_ohlcv"),
        (40, "markets.tasks.collect_defi"),
        (45, "markets.tasks.collect_exchanges"),
        (90, "markets.tasks.queue_first_backfill"),
    ]


def nothing_collected() -> bool:
    from markets.models import Coin

    return not Coin.objects.exists()

"""django-q2 task entry points: one-line calls into services (scheduled by setup_schedules).

Each scheduled collection tells cryptodt.schedules whether it failed, so a failed job is
retried 1, 2, 4 … minutes later instead of a whole interval later.
"""

from django.conf import settings

from cryptodt import schedules
from markets import selectors
from markets.services import backup, collect, rollup
from providers.observe import timed_cycle

FIRST_BACKFILL_DAYS = 7


def _lines(results) -> str:
    return "\n".join(r.line() for r in results)


def _settled(job: str, results) -> str:
    counted = [r for r in results if not r.housekeeping]
    schedules.settle(job, failed=bool(counted) and not any(r.ok for r in counted))
    return _lines(results)


def collect_all() -> str:
    return _settled("collect_all", collect.collect_all(due_only=True))


def first_collect_all() -> str:
    """The first start's cycle: everything at once, whatever the shared cache says is due
    (a Redis that outlived its database still holds the last run's marks)."""
    return _settled("collect_all", collect.collect_all(due_only=False))


def collect_ohlcv() -> str:
    return _settled("collect_ohlcv", timed_cycle("collect_ohlcv", collect.collect_ohlcv))


def collect_defi() -> str:
    return _settled("collect_defi", timed_cycle("collect_defi", collect.collect_defi))


def collect_exchanges() -> str:
    """CoinGecko's exchange directory: its own task, as its pages are a minute apart."""
    return _settled("collect_exchanges", [collect.collect_exchanges()])


def refresh_registry() -> str:
    return _settled("refresh_registry", [collect.refresh_registry()])


def queue_first_backfill() -> str:
    """The first collection's last step hands the backfill to a task of its own: with many
    tracked coins it can outlast Q_TIMEOUT_S and it must not hold the first collection."""
    from django_q.tasks import async_task

    return async_task("markets.tasks.first_backfill", task_name=f"{schedules.PREFIX}start:first_backfill")


def first_backfill() -> str:
    """The first start's short backfill of the tracked coins' price history."""
    coins = selectors.tracked_coins(limit=settings.TRACKED_COINS)
    return _lines(collect.backfill(coins=coins, days=FIRST_BACKFILL_DAYS))


def prune_history() -> str:
    rollup.rollup_hours()
    return str(rollup.prune())


def backup_db() -> str:
    return str(backup.backup())

"""django-q2 task entry points: one-line calls into services (scheduled by setup_schedules)."""

from markets.services import backup, collect, rollup
from providers.observe import timed_cycle


def _lines(results) -> str:
    return "\n".join(r.line() for r in results)


def collect_all() -> str:
    return _lines(collect.collect_all(due_only=True))


def collect_ohlcv() -> str:
    return _lines(timed_cycle("collect_ohlcv", collect.collect_ohlcv))


def collect_defi() -> str:
    return _lines(timed_cycle("collect_defi", collect.collect_defi))


def refresh_registry() -> str:
    return collect.refresh_registry().line()


def prune_history() -> str:
    rollup.rollup_hours()
    return str(rollup.prune())


def backup_db() -> str:
    return str(backup.backup())

"""django-q2 task entry points: one-line calls into services (scheduled by setup_schedules)."""

import time

from markets.services import backup, collect, rollup
from markets.services.observe import cycle_summary
from sentiment.news import collect_news
from sentiment.services import collect_fear_greed


def _lines(results) -> str:
    return "\n".join(r.line() for r in results)


def collect_all() -> str:
    return _lines(collect.collect_all(due_only=True))


def _cycle(name: str, run) -> str:
    """A scheduled cycle whose steps report once, together (collect_all reports itself)."""
    started = time.perf_counter()
    results = run()
    cycle_summary(name, results, started=started)
    return _lines(results)


def collect_ohlcv() -> str:
    return _cycle("collect_ohlcv", collect.collect_ohlcv)


def collect_defi() -> str:
    return _cycle("collect_defi", collect.collect_defi)


def collect_sentiment() -> str:
    return _cycle("collect_sentiment", lambda: [collect_fear_greed(), collect_news()])


def refresh_registry() -> str:
    return collect.refresh_registry().line()


def prune_history() -> str:
    rollup.rollup_hours()
    return str(rollup.prune())


def backup_db() -> str:
    return str(backup.backup())

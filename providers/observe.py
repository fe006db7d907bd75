"""What collection tells the operator: metrics per step (duration, rows stored, payloads
rejected, by kind) and one log event per collection cycle with each provider's outcome."""

import logging
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cryptodt import metrics

logger = logging.getLogger("providers.collect")

# Steps named after a coin or protocol ("ohlcv BTC 1h", "tvl aave") share their kind's series.
_PER_ITEM = ("ohlcv", "backfill", "tvl")


def kind_of(step_name: str) -> str:
    first = step_name.split(" ", 1)[0]
    return first if first in _PER_ITEM else re.sub(r"[^a-z0-9]+", "_", step_name.lower()).strip("_")


@contextmanager
def observed_step(name: str) -> Iterator:
    """``with observed_step(name) as observe: return observe(result)`` times the step and counts its result."""
    started = time.perf_counter()
    kind = kind_of(name)

    def observe(result):
        metrics.COLLECTION_RUNS.labels(kind, "ok" if result.ok else "failed").inc()
        if result.stored:
            metrics.ROWS_STORED.labels(kind).inc(result.stored)
        if getattr(result, "rejected", False):
            metrics.ROWS_REJECTED.labels(kind).inc()
        return result

    try:
        yield observe
    finally:
        metrics.COLLECTION_DURATION.labels(kind).observe(time.perf_counter() - started)


def provider_outcomes(results: Sequence) -> dict[str, dict]:
    """Per provider: the steps it served and the steps it failed, with why."""
    outcomes: dict[str, dict] = {}
    for result in results:
        for provider in filter(None, (result.provider or "").split(",")):
            outcomes.setdefault(provider, {"served": [], "failed": {}})["served"].append(result.name)
        for provider, reason in result.reasons.items():
            outcomes.setdefault(provider, {"served": [], "failed": {}})["failed"][result.name] = reason
    return outcomes


def cycle_summary(cycle: str, results: Sequence, *, started: float | None = None) -> None:
    """One event per cycle: the readable line says what failed, the fields say everything."""
    ok = [r for r in results if r.ok and not r.housekeeping]
    failed = [r for r in results if not r.ok]
    outcomes = provider_outcomes(results)
    failing = sorted(p for p, o in outcomes.items() if o["failed"] and not o["served"])
    line = f"{cycle}: {len(ok)} steps ok, {len(failed)} failed, {sum(r.stored for r in results)} rows stored"
    if failed:
        line += " — failed: " + "; ".join(f"{r.name} ({r.error})" for r in failed)[:800]
    logger.log(
        logging.WARNING if failed else logging.INFO,
        line,
        extra={
            "cycle": cycle,
            "steps": [
                {"name": r.name, "ok": r.ok, "stored": r.stored, "provider": r.provider, "error": r.error}
                for r in results
            ],
            "providers": outcomes,
            "failing_providers": failing,
            "duration_s": round(time.perf_counter() - started, 3) if started is not None else None,
        },
    )


def timed_cycle(cycle: str, run) -> list:
    """Run a cycle's steps and report them once, together (collect_all reports itself)."""
    started = time.perf_counter()
    results = run()
    cycle_summary(cycle, results, started=started)
    return results

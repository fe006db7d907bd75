"""Each provider's health as /api/providers and /api/health/ready report it."""

from datetime import UTC, datetime

from django.conf import settings

from cryptodt.times import iso
from providers import breaker, budget, config, stats
from providers.plan import plan_schedule
from providers.registry import PROVIDERS, capabilities_of


def provider_rows() -> list[dict]:
    rows = []
    for name in PROVIDERS:
        recorded = stats.read(name)
        rows.append(
            {
                "name": name,
                "capabilities": capabilities_of(name),
                "enabled": config.provider(name).enabled,
                "state": breaker.read(name).state,
                "last_success": recorded.get("last_success"),
                "last_error": recorded.get("last_error"),
                "latency_ms_p50": stats.latency_p50(name),
                "validation_failures": recorded.get("validation_failures", 0),
                "budget": budget.usage(name),
            }
        )
    return rows


def failing_providers(rows: list[dict] | None = None) -> list[dict]:
    """Enabled providers whose circuit is not closed, whose last call failed, or that are
    cooling down after a 429: who, in what state, the last error, and when the next try is."""
    failing = []
    for row in rows if rows is not None else provider_rows():
        name, error = row["name"], row["last_error"]
        last_failed = bool(error) and (not row["last_success"] or error["at"] > row["last_success"])
        blocked = budget.blocked_until(name)
        if not row["enabled"] or (row["state"] == breaker.CLOSED and not last_failed and not blocked):
            continue
        retry = max(filter(None, [breaker.retry_at(name), blocked]), default=None)
        failing.append(
            {
                "name": name,
                "state": row["state"],
                "failures": breaker.read(name).failures,
                "last_error": error,
                "retry_at": iso(datetime.fromtimestamp(retry, tz=UTC)) if retry else None,
            }
        )
    return failing


def describe(failure: dict) -> str:
    """ "coingecko: circuit open after 3 failures; last error HTTP 500 on markets at …; retried at …"."""
    state = {breaker.OPEN: "circuit open", breaker.HALF_OPEN: "circuit half-open"}.get(
        failure["state"], "circuit closed"
    )
    text = f"{failure['name']}: {state}"
    if failure["failures"]:
        text += f" after {failure['failures']} failures"
    error = failure["last_error"]
    if error:
        text += f"; last error {error['reason']} on {error['endpoint']} at {error['at']}"
    if failure["retry_at"]:
        text += f"; retried from {failure['retry_at']}"
    elif failure["state"] == breaker.HALF_OPEN:
        text += "; the next call probes it"
    else:
        text += "; retried on the next call"
    return text


def readiness() -> dict:
    """Ready while every capability has at least one enabled provider whose circuit is not open."""
    rows = {row["name"]: row for row in provider_rows()}
    stranded = []
    for capability in settings.PROVIDER_DEFAULT_ORDER:
        names = [n for n in config.capability(capability).order if rows[n]["enabled"]]
        if not any(rows[n]["state"] != breaker.OPEN for n in names):
            stranded.append(capability)
    detail = "all capabilities have a provider" if not stranded else f"no provider for: {', '.join(stranded)}"
    failing = failing_providers(list(rows.values()))
    if failing:
        detail += " — " + " | ".join(describe(f) for f in failing)
    return {
        "ok": not stranded,
        "detail": detail,
        "failing": failing,
        "providers": {n: {"state": r["state"], "last_success": r["last_success"]} for n, r in rows.items()},
    }


def budget_plan_check() -> dict:
    """Does the collection schedule for TRACKED_COINS fit every provider's budget?"""
    plan = plan_schedule()
    over = [load.name for load in plan.providers.values() if not load.fits]
    return {
        "ok": not over,
        "detail": f"{plan.tracked_coins} coins fit every budget" if not over else f"over budget: {', '.join(over)}",
        "intervals_s": {name: task.interval_s for name, task in plan.tasks.items()},
        "fixable": False,
    }

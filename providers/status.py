"""Each provider's health as /api/providers and /api/health/ready report it."""

from django.conf import settings

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


def readiness() -> dict:
    """Ready while every capability has at least one enabled provider whose circuit is not open."""
    rows = {row["name"]: row for row in provider_rows()}
    stranded = []
    for capability in settings.PROVIDER_DEFAULT_ORDER:
        names = [n for n in config.capability(capability).order if rows[n]["enabled"]]
        if not any(rows[n]["state"] != breaker.OPEN for n in names):
            stranded.append(capability)
    detail = "all capabilities have a provider" if not stranded else f"no provider for: {', '.join(stranded)}"
    return {
        "ok": not stranded,
        "detail": detail,
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

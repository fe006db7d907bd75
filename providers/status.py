"""Each provider's health as /api/providers and /api/health/ready report it."""

from django.conf import settings

from providers import breaker, budget, config, stats
from providers.plan import plan_schedule
from providers.registry import PROVIDERS, capabilities_of

# Where no second keyless provider exists, /api/providers says so instead of pretending.
NOTES = {
    "trending": "only CoinGecko serves trending coins; when it is down the last stored list is served",
    "coin_list": "CoinGecko ids are the project's identity; CoinPaprika's list is mapped onto them",
    "defi": "only DefiLlama serves TVL",
    "fear_greed": "only alternative.me serves the Fear & Greed index",
}


def _condition(name: str, state: str, enabled: bool) -> tuple[str, str | None]:
    """(live | disabled | skipped | blocked | cooling_down | open, why)."""
    if not enabled:
        return "disabled", "disabled by the operator"
    skipped = PROVIDERS[name].unavailable()
    if skipped:
        return "skipped", skipped
    block = budget.blocked(name)
    if block:
        return "blocked", f"blocked here: {block['reason']} (next try in {block['retry_in_s']}s)"
    wait = budget.cooling_down(name)
    if wait:
        return "cooling_down", f"asked to wait {wait:.0f}s more (429/418)"
    if state == breaker.OPEN:
        return "open", "circuit open after repeated failures"
    return "live", None


def provider_rows() -> list[dict]:
    rows = []
    for name in PROVIDERS:
        recorded = stats.read(name)
        state = breaker.read(name).state
        enabled = config.provider(name).enabled
        condition, why = _condition(name, state, enabled)
        rows.append(
            {
                "name": name,
                "capabilities": capabilities_of(name),
                "enabled": enabled,
                "needs_key": PROVIDERS[name].key_required,
                "condition": condition,
                "condition_reason": why,
                "state": state,
                "last_success": recorded.get("last_success"),
                "last_error": recorded.get("last_error"),
                "latency_ms_p50": stats.latency_p50(name),
                "validation_failures": recorded.get("validation_failures", 0),
                "budget": budget.usage(name),
            }
        )
    return rows


def capability_rows(rows: list[dict] | None = None) -> dict[str, dict]:
    """Per capability: the providers in order, which are live now, and how many need no key."""
    by_name = {row["name"]: row for row in rows or provider_rows()}
    result = {}
    for capability in settings.PROVIDER_DEFAULT_ORDER:
        order = list(config.capability(capability).order)
        live = [n for n in order if by_name[n]["condition"] == "live"]
        keyless = [n for n in order if not by_name[n]["needs_key"]]
        entry = {"order": order, "live": live, "live_count": len(live), "keyless_depth": len(keyless)}
        if capability in NOTES or len(keyless) < 2:
            entry["note"] = NOTES.get(capability, "only one provider serves this without a key")
        result[capability] = entry
    return result


def readiness() -> dict:
    """Ready while every capability has at least one live provider (enabled, keyed if it needs
    a key, not blocked here, circuit not open). Skipped and blocked providers say why."""
    rows = provider_rows()
    by_name = {row["name"]: row for row in rows}
    stranded = []
    for capability in settings.PROVIDER_DEFAULT_ORDER:
        names = [n for n in config.capability(capability).order if by_name[n]["enabled"]]
        usable = [n for n in names if by_name[n]["condition"] in ("live", "cooling_down")]
        if not usable:
            stranded.append(capability)
    detail = "all capabilities have a provider" if not stranded else f"no provider for: {', '.join(stranded)}"
    not_live = [f"{r['name']}: {r['condition_reason']}" for r in rows if r["condition"] not in ("live", "disabled")]
    if not_live:
        detail += "; " + "; ".join(not_live)
    return {
        "ok": not stranded,
        "detail": detail,
        "providers": {
            n: {
                "state": r["state"],
                "condition": r["condition"],
                "reason": r["condition_reason"],
                "last_success": r["last_success"],
            }
            for n, r in by_name.items()
        },
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

"""Each provider's health as /api/providers and /api/health/ready report it."""

from markets.providers import breaker, budget, config, stats
from markets.providers.registry import PROVIDERS, capabilities_of


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
    for capability in config_capabilities():
        names = [n for n in config.capability(capability).order if rows[n]["enabled"]]
        if not any(rows[n]["state"] != breaker.OPEN for n in names):
            stranded.append(capability)
    detail = "all capabilities have a provider" if not stranded else f"no provider for: {', '.join(stranded)}"
    return {
        "ok": not stranded,
        "detail": detail,
        "providers": {n: {"state": r["state"], "last_success": r["last_success"]} for n, r in rows.items()},
    }


def config_capabilities() -> list[str]:
    from django.conf import settings

    return list(settings.PROVIDER_DEFAULT_ORDER)

from django.apps import AppConfig


def data_age() -> dict:
    """Readiness: how old the newest stored price is (stale past 2 × COLLECT_INTERVAL_S)."""
    # Imported here: this module loads before the app registry is ready.
    from datetime import UTC, datetime

    from django.conf import settings

    from markets.selectors import newest_price_time
    from markets.times import iso

    newest = newest_price_time()
    if newest is None:
        return {"ok": False, "detail": "no price collected yet", "age_s": None}
    age = (datetime.now(UTC) - newest).total_seconds()
    limit = 2 * settings.COLLECT_INTERVAL_S
    detail = f"newest price is {int(age)} s old" + ("" if age <= limit else f" (stale past {limit} s)")
    return {"ok": age <= limit, "detail": detail, "age_s": round(age, 1), "newest": iso(newest)}


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self) -> None:
        from cryptodt import health
        from markets.providers.status import budget_plan_check, readiness

        # Registered only: the checks read the cache and database when /api/health/ready runs.
        health.register("providers", readiness)
        health.register("provider_budgets", budget_plan_check)
        health.register("data_age", data_age)

        from cryptodt import metrics as exported
        from markets import metrics

        exported.register_collector("providers", metrics.provider_gauges)
        exported.register_newest("markets", metrics.newest_by_kind)

from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self) -> None:
        from cryptodt import health
        from markets.providers.status import budget_plan_check, readiness

        # Registered only: the checks read the shared cache when /api/health/ready runs.
        health.register("providers", readiness)
        health.register("provider_budgets", budget_plan_check)

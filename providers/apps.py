from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    """The floor under every other app: transport, retries, breakers, budgets, the router
    and every provider's client. It imports no other app of the project."""

    name = "providers"

    def ready(self) -> None:
        from cryptodt import health
        from providers.status import budget_plan_check, readiness

        # Registered only: the checks read the cache and database when /api/health/ready runs.
        health.register("providers", readiness)
        health.register("provider_budgets", budget_plan_check)

        from cryptodt.metrics import register_collector
        from providers.metrics import provider_gauges

        register_collector("providers", provider_gauges)

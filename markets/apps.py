from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self) -> None:
        from cryptodt import health
        from markets.providers.status import readiness

        # Registered only: the check reads the shared cache when /api/health/ready runs.
        health.register("providers", readiness)

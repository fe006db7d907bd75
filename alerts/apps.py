from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        from alerts.services.evaluate import on_fear_greed_stored, on_prices_stored
        from markets.signals import prices_stored
        from sentiment.signals import fear_greed_stored

        # Both the scheduled cycle and stream_prices end in markets' ingest, which sends this.
        prices_stored.connect(on_prices_stored, dispatch_uid="alerts.evaluate_prices")
        fear_greed_stored.connect(on_fear_greed_stored, dispatch_uid="alerts.evaluate_fear_greed")

        from alerts import schedules as jobs
        from cryptodt import schedules

        schedules.register("alerts", jobs.planned)

from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self) -> None:
        from cryptodt import health, schedules
        from markets import schedules as jobs
        from markets.health import data_age

        # Registered only: the check reads the database when /api/health/ready runs.
        health.register("data_age", data_age)
        schedules.register("markets", jobs.planned)
        schedules.register_bootstrap("markets", jobs.first_collection, empty=jobs.nothing_collected)

        from cryptodt.metrics import register_newest
        from markets.metrics import newest_by_kind

        register_newest("markets", newest_by_kind)

from django.apps import AppConfig


class SentimentConfig(AppConfig):
    name = "sentiment"

    def ready(self) -> None:
        from cryptodt import health, schedules
        from sentiment import schedules as jobs
        from sentiment.health import analyzer_status

        # Registered only: the check reports what is loaded and never loads a model itself.
        health.register("sentiment", analyzer_status)
        schedules.register("sentiment", jobs.planned)
        schedules.register_start("sentiment", jobs.start_tasks)
        schedules.register_bootstrap("sentiment", lambda: [(50, "sentiment.tasks.collect_sentiment")])

        from cryptodt.metrics import register_newest
        from sentiment.metrics import newest_by_kind

        register_newest("sentiment", newest_by_kind)

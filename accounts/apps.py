from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import schedules as jobs
        from accounts import schema, signals  # noqa: F401  (OpenAPI extensions; key-cache invalidation)
        from cryptodt import schedules

        schedules.register("accounts", jobs.planned)

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from accounts import audit, schema  # noqa: F401  (schema registers OpenAPI extensions)
        from accounts import schedules as jobs
        from cryptodt import schedules

        schedules.register("accounts", jobs.planned)

        # Runs after the response has been handed over: see accounts.audit.
        request_finished.connect(audit.flush_if_due, dispatch_uid="accounts.audit.flush_if_due")

from django.apps import AppConfig


class CryptodtConfig(AppConfig):
    """The project package as an app only so that it can hold the commands that span every
    app (setup_schedules, diagnose); it has no models."""

    name = "cryptodt"
    verbose_name = "cryptodt"

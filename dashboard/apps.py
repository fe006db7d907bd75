from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The server-rendered pages at / (docs/dashboard.md): a delivery layer over the selectors."""

    name = "dashboard"

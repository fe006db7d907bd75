from django.contrib import admin
from django.urls import include, path, re_path

from cryptodt.api.views import (
    DiagnosticsView,
    DocsView,
    HealthView,
    ReadinessView,
    RedocView,
    SchemaView,
    UnknownEndpointView,
)
from cryptodt.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", HealthView.as_view(), name="health"),
    path("api/health/ready", ReadinessView.as_view(), name="health-ready"),
    path("api/diagnostics", DiagnosticsView.as_view(), name="diagnostics"),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("api/", include("accounts.api.urls")),
    path("api/", include("markets.api.urls")),
    path("api/", include("sentiment.api.urls")),
    path("api/", include("alerts.api.urls")),
    # Last: whatever else is under /api/ is a 404 from DRF (counted, with X-RateLimit-*).
    re_path(r"^api(/|$)", UnknownEndpointView.as_view(), name="api-unknown"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("dashboard.urls")),
]

handler400 = "cryptodt.api.errors.bad_request"
handler403 = "cryptodt.api.errors.permission_denied"
handler404 = "cryptodt.api.errors.page_not_found"
handler500 = "cryptodt.api.errors.server_error"

"""A test-only URLconf: plain Django views whose database fails."""

from django.db import IntegrityError, OperationalError
from django.urls import include, path


def database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


def integrity(request):
    raise IntegrityError("UNIQUE constraint failed")


urlpatterns = [
    path("api/plain-db-down", database_down),
    path("plain-db-down", database_down),
    path("api/plain-integrity", integrity),
    path("", include("cryptodt.urls")),
]

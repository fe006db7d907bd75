import pytest
from django.db import connection
from django.urls import path


@pytest.mark.django_db
def test_health_reports_ok_with_database_and_cache(api):
    response = api.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


@pytest.mark.django_db
def test_readiness_covers_channel_layer_and_task_queue(api):
    body = api.get("/api/health/ready").json()
    assert body["checks"]["channel_layer"]["ok"] is True
    assert body["checks"]["task_queue"]["ok"] is True


@pytest.mark.django_db
def test_unknown_api_path_gets_json_404(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_wrong_method_gets_json_405(api):
    response = api.delete("/api/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_the_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_the_orm_round_trips_on_the_configured_database(django_user_model):
    django_user_model.objects.create_user(username="ada", password="x-Very-long-pass-1")
    assert django_user_model.objects.filter(username="ada").count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}


def _crashing_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/crash", _crashing_view)]
handler500 = "cryptodt.api.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_crash_outside_drf_gets_json_500_without_traceback(client):
    client.raise_request_exception = False
    response = client.get("/api/crash")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "The server hit an unexpected error.", "details": {}}
    }


def test_the_profile_follows_the_environment(settings):
    """CI's second pass sets DATABASE_URL and REDIS_URL; the same code must then use them."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
        assert "redis" in settings.Q_CLUSTER
    else:
        assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
        assert settings.Q_CLUSTER["orm"] == "default"

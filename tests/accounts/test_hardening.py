import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


def test_api_responses_carry_security_headers(api):
    response = api.get("/api/auth/me")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cors_is_closed_by_default(api):
    response = api.get("/api/auth/me", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_allows_configured_origins_with_our_headers(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://dashboard.example"]
    preflight = api.options(
        "/api/auth/me",
        HTTP_ORIGIN="https://dashboard.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key, authorization",
    )
    assert preflight["Access-Control-Allow-Origin"] == "https://dashboard.example"
    assert "x-api-key" in preflight["Access-Control-Allow-Headers"]

    response = api.get("/api/auth/me", HTTP_ORIGIN="https://dashboard.example")
    exposed = response["Access-Control-Expose-Headers"]
    assert "X-RateLimit-Remaining" in exposed and "Retry-After" in exposed

    other = api.get("/api/auth/me", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.parametrize("password", ["password", "12345678901", "ada", "ada-lovelace"])
def test_weak_passwords_are_refused_by_djangos_validators(make_user, password):
    ada = make_user("ada-lovelace")
    with pytest.raises(ValidationError):
        validate_password(password, user=ada)


def test_the_token_endpoint_and_key_creation_are_never_cached(api, user):
    from tests.accounts.conftest import PASSWORD

    response = api.post("/api/auth/token", {"username": "ada", "password": PASSWORD}, format="json")
    assert response["Cache-Control"] == "no-store"
    refreshed = api.post("/api/auth/token/refresh", {"refresh": response.json()["refresh"]}, format="json")
    assert refreshed["Cache-Control"] == "no-store"

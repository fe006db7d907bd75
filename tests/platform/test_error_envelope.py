"""Every error under /api/ leaves as {"error": {"code", "message", "details"}} (docs/API.md)."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.error_urls")]


def assert_envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_malformed_json_body_is_400(api, django_user_model):
    # Anonymous callers may only read, so the body is parsed for a signed-in caller.
    api.force_authenticate(django_user_model.objects.create_user(username="writer", password="x-Long-pass-99"))
    response = api.generic("POST", "/api/echo", "{not json", content_type="application/json")
    assert_envelope(response, 400, "malformed_body")


@pytest.mark.parametrize("body", ["[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000])
def test_json_nested_deeper_than_the_recursion_limit_is_a_malformed_body(api, django_user_model, body):
    api.force_authenticate(django_user_model.objects.create_user(username="writer", password="x-Long-pass-99"))
    response = api.generic("POST", "/api/echo", body, content_type="application/json")
    assert_envelope(response, 400, "malformed_body")


def test_a_body_over_max_request_bytes_is_413(api, django_user_model, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    api.force_authenticate(django_user_model.objects.create_user(username="writer", password="x-Long-pass-99"))
    body = '{"text": "' + "a" * 4096 + '"}'
    response = api.generic("POST", "/api/echo", body, content_type="application/json")
    error = assert_envelope(response, 413, "payload_too_large")
    assert "2048" in error["message"]


def test_an_invalid_parameter_is_400_naming_the_parameter(api):
    error = assert_envelope(api.get("/api/invalid-parameter"), 400, "invalid_parameter")
    assert error["details"] == {"parameter": "vs"}


def test_suspicious_request_outside_drf_is_400(client):
    assert_envelope(client.get("/api/plain/suspicious"), 400, "bad_request")


def test_missing_credentials_are_401_with_a_challenge(api):
    response = api.get("/api/private")
    assert_envelope(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_garbage_bearer_token_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_envelope(api.get("/api/private"), 401, "invalid_credentials")


def test_not_allowed_is_403(api):
    assert_envelope(api.get("/api/forbidden"), 403, "forbidden")


def test_permission_denied_outside_drf_is_403(client):
    assert_envelope(client.get("/api/plain/forbidden"), 403, "forbidden")


def test_unknown_api_path_is_404(client):
    error = assert_envelope(client.get("/api/definitely-not-here"), 404, "not_found")
    assert error["details"]["path"] == "/api/definitely-not-here"


def test_an_unknown_api_path_is_counted_and_carries_the_rate_limit_headers(client):
    first = client.get("/api/definitely-not-here")
    second = client.delete("/api")
    assert_envelope(second, 404, "not_found")
    assert first["X-RateLimit-Limit"] == second["X-RateLimit-Limit"]
    assert int(second["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1


def test_an_unknown_api_path_with_bad_credentials_is_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    assert_envelope(api.get("/api/definitely-not-here"), 401, "invalid_credentials")


def test_wrong_method_is_405(api):
    assert_envelope(api.put("/api/health"), 405, "method_not_allowed")


def test_rate_limited_is_429_with_retry_after(api):
    response = api.get("/api/throttled")
    assert_envelope(response, 429, "rate_limited")
    assert response["Retry-After"] == "13"


def test_a_crash_in_a_drf_view_is_500_without_internals(api):
    response = api.get("/api/crash")
    error = assert_envelope(response, 500, "internal_error")
    assert "secret internals" not in response.content.decode()
    assert error["details"] == {}


def test_a_crash_outside_drf_is_500_without_internals(client):
    client.raise_request_exception = False
    response = client.get("/api/plain/crash")
    assert_envelope(response, 500, "internal_error")
    assert "secret internals" not in response.content.decode()


def test_pages_outside_the_api_keep_django_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")

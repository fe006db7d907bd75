from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import audit, keys, services
from accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_new_key_is_shown_once_and_only_its_prefix_and_hash_are_stored(api, user):
    api.force_authenticate(user)
    response = api.post("/api/auth/keys", {"name": "laptop"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"prefix", "name", "key", "created", "expires_at"}
    assert body["key"].startswith(f"cdt_{body['prefix']}_")
    assert response["Cache-Control"] == "no-store"
    stored = ApiKey.objects.get(prefix=body["prefix"])
    assert stored.key_hash == keys.digest(body["key"])
    assert body["key"] not in {getattr(stored, f.attname) for f in ApiKey._meta.fields}

    listed = api.get("/api/auth/keys").json()["data"]
    assert [k["prefix"] for k in listed] == [body["prefix"]]
    assert "key" not in listed[0] and "key_hash" not in listed[0]
    assert listed[0]["revoked"] is False


def test_the_key_authenticates_its_owner(api, user, api_key):
    response = api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_a_user_may_hold_several_named_keys(api, user):
    api.force_authenticate(user)
    for name in ("laptop", "server", "ci"):
        assert api.post("/api/auth/keys", {"name": name}, format="json").status_code == 201
    assert sorted(k["name"] for k in api.get("/api/auth/keys").json()["data"]) == ["ci", "laptop", "server"]


def test_a_revoked_key_is_refused(api, user, api_key):
    prefix = keys.parse(api_key).prefix
    api.credentials(HTTP_X_API_KEY=api_key)

    assert api.delete(f"/api/auth/keys/{prefix}").status_code == 204
    response = api.get("/api/auth/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert ApiKey.objects.get(prefix=prefix).revoked_at is not None


def test_an_expired_key_is_refused(api, user):
    issued = services.api_key_issue(user=user, name="short", expires_at=timezone.now() + timedelta(hours=1))
    ApiKey.objects.filter(pk=issued.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api.get("/api/auth/me", HTTP_X_API_KEY=issued.key)

    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has expired."


def test_a_key_with_an_expiry_works_until_then(api, user):
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)
    api.force_authenticate(user)
    body = api.post("/api/auth/keys", {"name": "temp", "expires_at": expires.isoformat()}, format="json").json()
    api.force_authenticate(None)

    assert api.get("/api/auth/me", HTTP_X_API_KEY=body["key"]).status_code == 200
    assert ApiKey.objects.get(prefix=body["prefix"]).expires_at == expires


def test_an_expiry_in_the_past_is_rejected(api, user):
    api.force_authenticate(user)
    response = api.post("/api/auth/keys", {"name": "x", "expires_at": "2001-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "expires_at"


def test_a_key_needs_a_name(api, user):
    api.force_authenticate(user)
    response = api.post("/api/auth/keys", {"name": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_parameter"


def test_nobody_can_revoke_another_users_key(api, make_user, api_key):
    mallory = make_user("mallory")
    api.force_authenticate(mallory)

    response = api.delete(f"/api/auth/keys/{keys.parse(api_key).prefix}")

    assert response.status_code == 404
    assert ApiKey.objects.get().revoked_at is None


def test_key_endpoints_answer_401_without_credentials(api):
    for method, path in [("get", "/api/auth/keys"), ("post", "/api/auth/keys"), ("delete", "/api/auth/keys/abc")]:
        response = getattr(api, method)(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "not_authenticated"


def test_last_used_is_written_off_the_request_at_most_once_per_interval(api, api_key, django_assert_num_queries):
    prefix = keys.parse(api_key).prefix
    assert api.get("/api/auth/me", HTTP_X_API_KEY=api_key).status_code == 200
    assert ApiKey.objects.get(prefix=prefix).last_used is None  # the request itself wrote nothing
    audit.flush()  # what the audit writer thread does every AUDIT_SPOOL_INTERVAL_S
    first = ApiKey.objects.get(prefix=prefix).last_used
    assert first is not None

    # The second request in the interval reads the key from this process's cache and
    # schedules no mark.
    with django_assert_num_queries(0):
        assert api.get("/api/auth/me", HTTP_X_API_KEY=api_key).status_code == 200
    audit.flush()
    assert ApiKey.objects.get(prefix=prefix).last_used == first


def test_the_key_is_not_accepted_in_the_query_string_over_http(api, api_key):
    response = api.get(f"/api/auth/me?api_key={api_key}")
    assert response.status_code == 401


def test_a_disabled_users_key_is_refused(api, user, api_key):
    user.is_active = False
    user.save()
    assert api.get("/api/auth/me", HTTP_X_API_KEY=api_key).status_code == 401


def test_a_key_with_the_right_prefix_but_wrong_secret_is_refused(api, api_key):
    prefix = keys.parse(api_key).prefix
    response = api.get("/api/auth/me", HTTP_X_API_KEY=f"cdt_{prefix}_{'A' * 43}")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid API key."


@pytest.mark.parametrize("prefix", ["ab%00cd", "x" * 300, "%C3%A9t%C3%A9", "0123456789AB", "'; DROP TABLE x"])
def test_revoking_a_malformed_prefix_is_a_404(api, user, prefix):
    api.force_authenticate(user)
    response = api.delete(f"/api/auth/keys/{prefix}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_key"

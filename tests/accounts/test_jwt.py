import pytest

from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _obtain(api, username="ada", password=PASSWORD, **extra):
    return api.post("/api/auth/token", {"username": username, "password": password}, format="json", **extra)


def test_a_user_obtains_an_access_and_a_refresh_token(api, user):
    response = _obtain(api)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert response["Cache-Control"] == "no-store"
    assert "X-RateLimit-Remaining" in response


def test_the_access_token_authenticates(api, user):
    access = _obtain(api).json()["access"]
    response = api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 200
    assert response.json()["username"] == "ada"


def test_a_wrong_password_gets_401(api, user):
    response = _obtain(api, password="wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_refresh_rotates_and_the_old_refresh_token_is_dead(api, user):
    refresh = _obtain(api).json()["refresh"]

    rotated = api.post("/api/auth/token/refresh", {"refresh": refresh}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != refresh

    replayed = api.post("/api/auth/token/refresh", {"refresh": refresh}, format="json")
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "invalid_credentials"


def test_verify_tells_good_tokens_from_bad(api, user):
    access = _obtain(api).json()["access"]
    assert api.post("/api/auth/token/verify", {"token": access}, format="json").status_code == 200
    bad = api.post("/api/auth/token/verify", {"token": access[:-4] + "AAAA"}, format="json")
    assert bad.status_code == 401


def test_a_blacklisted_refresh_token_cannot_be_used(api, user):
    refresh = _obtain(api).json()["refresh"]
    assert api.post("/api/auth/token/blacklist", {"refresh": refresh}, format="json").status_code == 200
    response = api.post("/api/auth/token/refresh", {"refresh": refresh}, format="json")
    assert response.status_code == 401


def test_token_endpoints_reject_malformed_bodies_with_the_envelope(api, user):
    for path in ("/api/auth/token", "/api/auth/token/refresh", "/api/auth/token/verify", "/api/auth/token/blacklist"):
        response = api.post(path, "{not json", content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["error"]["code"] == "malformed_body"
        assert api.post(path, {}, format="json").status_code == 400, path


def test_the_token_endpoint_limits_guesses_per_username(api, user, rate_clock, settings):
    settings.RATE_ANON = "1000/m"
    for n in range(5):
        assert _obtain(api, password=f"guess-{n}", REMOTE_ADDR=f"203.0.113.{n}").status_code == 401
    # The sixth guess, from yet another address, is refused before the password is checked.
    response = _obtain(api, REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert _obtain(api, username="someone-else", REMOTE_ADDR="203.0.113.100").status_code == 401


def test_the_username_limit_ignores_case_and_spaces(api, user, rate_clock, settings):
    settings.RATE_ANON = "1000/m"
    for n, name in enumerate(["ada", "ADA", " Ada", "adA ", "aDa"]):
        _obtain(api, username=name, password="x", REMOTE_ADDR=f"203.0.113.{n}")
    assert _obtain(api, REMOTE_ADDR="203.0.113.50").status_code == 429


def test_a_guesser_over_the_ip_limit_gets_429_even_with_a_malformed_body(api, rate_clock, settings):
    settings.RATE_ANON = "1000/m"
    settings.RATE_TOKEN_IP = "2/m"
    for n in range(2):
        _obtain(api, username=f"user{n}", password="x")
    response = api.post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"


def test_a_caller_over_the_login_budget_gets_429_and_retry_after_even_with_a_malformed_body(api, rate_clock, settings):
    settings.RATE_TOKEN_IP = "2/m"
    for n in range(2):
        _obtain(api, username=f"user{n}", password="x")
    response = api.post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_anonymous_reads_do_not_spend_the_login_budget(api, user, rate_clock, settings):
    settings.RATE_ANON = "10/m"
    for _ in range(10):
        spent = api.get("/api/auth/me")  # refused requests are charged to the anonymous budget too
    assert spent["X-RateLimit-Remaining"] == "0", "the anonymous read budget is spent"
    response = _obtain(api)
    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "10"  # RATE_TOKEN_IP's budget, not the read budget's
    assert response["X-RateLimit-Remaining"] == "9"


def test_the_token_endpoint_limits_guesses_per_ip(api, rate_clock, settings):
    settings.RATE_ANON = "1000/m"
    for n in range(10):
        assert _obtain(api, username=f"user{n}", password="x", REMOTE_ADDR="203.0.113.7").status_code == 401
    assert _obtain(api, username="user99", password="x", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert _obtain(api, username="user99", password="x", REMOTE_ADDR="203.0.113.8").status_code == 401


def test_an_inactive_users_token_stops_working(api, user):
    access = _obtain(api).json()["access"]
    user.is_active = False
    user.save()
    assert api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


HOSTILE_VALUES = [None, 12, [], {"a": 1}, "", "A" * 10_240, "\u0000", "токен€", "e30.e30.", "eyJhbGciOiJub25lIn0.e30."]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/auth/token/refresh", "refresh"),
        ("/api/auth/token/verify", "token"),
        ("/api/auth/token/blacklist", "refresh"),
        ("/api/auth/token", "username"),
        ("/api/auth/token", "password"),
    ],
)
def test_token_endpoints_answer_hostile_values_with_4xx(api, user, path, field, value, settings):
    settings.RATE_ANON = settings.RATE_TOKEN_IP = "100000/m"
    body = {"username": "ada", "password": "x"} if path == "/api/auth/token" else {}
    body[field] = value
    response = api.post(path, body, format="json")
    assert 400 <= response.status_code < 500
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_access_tokens_are_short_and_refresh_tokens_longer_by_default(api, user):
    from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

    tokens = _obtain(api).json()
    access, refresh = AccessToken(tokens["access"]), RefreshToken(tokens["refresh"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600


def test_token_lifetimes_follow_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    from tests.platform.processes import ROOT

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "j = s.SIMPLE_JWT; print(int(j['ACCESS_TOKEN_LIFETIME'].total_seconds()), "
        "int(j['REFRESH_TOKEN_LIFETIME'].total_seconds()))"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path), "JWT_ACCESS_MINUTES": "3", "JWT_REFRESH_DAYS": "2"}
    env["DJANGO_SETTINGS_MODULE"] = "cryptodt.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["180", str(2 * 24 * 3600)]

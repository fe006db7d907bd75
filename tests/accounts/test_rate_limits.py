import pytest

from accounts import services

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.protected_urls")]

READ = "/api/test/read"


def _remaining(response) -> int:
    return int(response["X-RateLimit-Remaining"])


def test_the_51st_request_of_a_free_minute_is_the_first_429(key_client, rate_clock):
    for n in range(1, 51):
        response = key_client.get(READ)
        assert response.status_code == 200, n
        assert response["X-RateLimit-Limit"] == "50"
        assert _remaining(response) == 50 - n

    limited = key_client.get(READ)

    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert limited["X-RateLimit-Limit"] == "50"
    assert limited["X-RateLimit-Remaining"] == "0"


def test_the_limit_resets_when_the_window_ends(key_client, rate_clock):
    for _ in range(50):
        key_client.get(READ)
    limited = key_client.get(READ)
    assert limited.status_code == 429

    rate_clock.advance(int(limited["Retry-After"]))

    response = key_client.get(READ)
    assert response.status_code == 200
    assert _remaining(response) == 49


def test_retry_after_says_when_the_window_ends(key_client, rate_clock):
    for _ in range(50):
        key_client.get(READ)
    retry_after = int(key_client.get(READ)["Retry-After"])

    rate_clock.advance(retry_after - 1)
    assert key_client.get(READ).status_code == 429
    rate_clock.advance(1)
    assert key_client.get(READ).status_code == 200


def test_error_responses_carry_the_headers_too(key_client, api, rate_clock):
    bad_parameter = key_client.get(READ, {"fail": "1"})
    assert bad_parameter.status_code == 400
    assert _remaining(bad_parameter) == 49

    wrong_method = key_client.delete(READ)
    assert wrong_method.status_code == 405
    assert _remaining(wrong_method) == 48

    bad_credentials = api.get("/api/auth/me", HTTP_X_API_KEY="nope")
    assert bad_credentials.status_code == 401
    assert bad_credentials["X-RateLimit-Limit"] == "10"
    assert _remaining(bad_credentials) == 9

    no_credentials = api.get("/api/auth/keys")
    assert no_credentials.status_code == 401
    assert _remaining(no_credentials) == 8


def test_anonymous_callers_are_limited_per_ip(api, rate_clock):
    for _ in range(10):
        assert api.get(READ, REMOTE_ADDR="203.0.113.7").status_code == 200
    assert api.get(READ, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert api.get(READ, REMOTE_ADDR="203.0.113.8").status_code == 200


def test_a_forged_x_forwarded_for_does_not_buy_a_fresh_budget(api, rate_clock):
    for n in range(11):
        response = api.get(READ, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_address_counts(api, rate_clock, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for _ in range(10):
        api.get(READ, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert api.get(READ, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert api.get(READ, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_the_budget_belongs_to_the_user_not_to_each_key(api, user, rate_clock):
    first = services.api_key_issue(user=user, name="one").key
    second = services.api_key_issue(user=user, name="two").key
    for _ in range(25):
        api.get(READ, HTTP_X_API_KEY=first)
        api.get(READ, HTTP_X_API_KEY=second)
    assert api.get(READ, HTTP_X_API_KEY=first).status_code == 429


def test_an_expensive_view_costs_more_than_one_unit(key_client, rate_clock):
    response = key_client.get("/api/test/expensive", {"cost": "10"})
    assert response.status_code == 200
    assert _remaining(response) == 40

    assert key_client.get("/api/test/expensive", {"cost": "40"}).status_code == 200
    limited = key_client.get(READ)
    assert limited.status_code == 429


def test_a_cost_that_cannot_be_computed_costs_one_unit(key_client, rate_clock):
    response = key_client.get("/api/test/expensive", {"cost": "lots"})
    assert response.status_code == 200
    assert _remaining(response) == 49


def test_pro_has_its_own_limit(api, make_user, rate_clock):
    api.force_authenticate(make_user("pro", tier="pro"))
    response = api.get(READ)
    assert response["X-RateLimit-Limit"] == "500"
    assert _remaining(response) == 499


def test_enterprise_is_unlimited(api, make_user, rate_clock, settings):
    settings.RATE_FREE = "1/m"
    api.force_authenticate(make_user("big", tier="enterprise"))
    for _ in range(5):
        response = api.get(READ)
        assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "unlimited"
    assert api.get("/api/auth/me").json() == {
        "username": "big",
        "tier": "enterprise",
        "limit_per_minute": None,
        "used_this_minute": 6,
    }


def test_limits_follow_the_settings(key_client, rate_clock, settings):
    settings.RATE_FREE = "3/m"
    for _ in range(3):
        assert key_client.get(READ).status_code == 200
    assert key_client.get(READ).status_code == 429


def test_me_reports_tier_limit_and_usage(key_client, user, rate_clock):
    key_client.get(READ)
    key_client.get(READ)
    assert key_client.get("/api/auth/me").json() == {
        "username": user.username,
        "tier": "free",
        "limit_per_minute": 50,
        "used_this_minute": 3,
    }


def test_a_view_can_opt_out_of_metering_and_still_shows_the_untouched_budget(api, rate_clock):
    for _ in range(20):
        response = api.get("/api/test/unmetered")
        assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == "10"
    assert response["X-RateLimit-Remaining"] == "10"


def test_health_probes_are_never_limited_but_carry_the_rate_limit_headers(api, rate_clock):
    for _ in range(15):
        response = api.get("/api/health")
        assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "10"
    api.get("/api/prices?symbols=BTC")
    assert api.get("/api/health/ready")["X-RateLimit-Remaining"] == "9"


def test_anonymous_reads_can_be_switched_off(api, key_client, settings, rate_clock):
    settings.ANON_READS = False
    response = api.get(READ)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["X-RateLimit-Limit"] == "10"
    assert key_client.get(READ).status_code == 200


def test_anonymous_callers_may_read_but_not_write(api, key_client, rate_clock):
    assert api.get(READ).status_code == 200
    assert api.post(READ, {}, format="json").status_code == 401
    assert key_client.post(READ, {}, format="json").status_code == 201


def test_an_anonymous_429_says_how_to_get_a_key(api, rate_clock):
    for _ in range(10):
        api.get(READ, REMOTE_ADDR="203.0.113.7")
    limited = api.get(READ, REMOTE_ADDR="203.0.113.7")
    assert limited.status_code == 429
    error = limited.json()["error"]
    assert "POST /api/auth/keys" in error["message"] and "X-API-Key" in error["message"]
    assert error["details"]["retry_after"] == int(limited["Retry-After"])

"""/api/alerts: the owner's rules, tier limits, the one-time secret, and the error envelope
for every bad input."""

import pytest
from rest_framework.test import APIClient

from alerts.models import AlertRule
from tests.alerts.conftest import rule

pytestmark = pytest.mark.django_db(transaction=True)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


def test_a_rule_is_created_read_changed_and_deleted_by_its_owner(api, coins, receiver):
    hook = receiver()
    created = rule(api, coin="btc", condition="change_pct", window="24h", threshold="-7.5", webhook_url=hook.url)
    assert created["coin"] == {"id": "bitcoin", "symbol": "BTC"}
    assert created["threshold"] == "-7.5" and created["window"] == "24h"
    assert created["repeat"] is False and created["notify_websocket"] is True
    assert created["webhook_secret"].startswith("whsec_")
    listed = api.get("/api/alerts").json()["data"]
    assert [r["id"] for r in listed] == [created["id"]]
    assert "webhook_secret" not in listed[0]  # shown once, at creation
    changed = api.patch(f"/api/alerts/{created['id']}", {"threshold": "-9", "cooldown_s": 600}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["threshold"], changed.json()["cooldown_s"]) == ("-9", 600)
    assert "webhook_secret" not in changed.json()
    assert api.delete(f"/api/alerts/{created['id']}").status_code == 204
    assert api.get(f"/api/alerts/{created['id']}").status_code == 404


def test_the_webhook_secret_is_stored_encrypted(api, coins, receiver):
    created = rule(api, webhook_url=receiver().url)
    stored = AlertRule.objects.get(pk=created["id"]).webhook_secret
    assert stored and created["webhook_secret"] not in stored


def test_the_answer_with_the_secret_is_not_cached(api, coins, receiver):
    response = api.post(
        "/api/alerts",
        {"coin": "bitcoin", "condition": "price_above", "threshold": 1, "webhook_url": receiver().url},
        format="json",
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"


def test_a_rule_without_credentials_is_refused(coins):
    error = error_of(APIClient().get("/api/alerts"), 401)
    assert error["code"] == "not_authenticated"
    error_of(APIClient().post("/api/alerts", {}, format="json"), 401)


def test_nobody_sees_or_changes_another_users_rule(api, coins, make_user, client_for):
    created = rule(api)
    other = client_for(make_user("grace"))
    assert other.get("/api/alerts").json()["data"] == []
    for response in (
        other.get(f"/api/alerts/{created['id']}"),
        other.patch(f"/api/alerts/{created['id']}", {"threshold": 1}, format="json"),
        other.delete(f"/api/alerts/{created['id']}"),
        other.get(f"/api/alerts/{created['id']}/firings"),
    ):
        assert error_of(response, 404)["code"] == "unknown_alert"
    assert AlertRule.objects.filter(pk=created["id"]).exists()


@pytest.mark.parametrize(
    "body, parameter",
    [
        ({"condition": "price_sideways", "threshold": 1}, "condition"),
        ({"condition": "price_above"}, "threshold"),
        ({"condition": "price_above", "threshold": "NaN"}, "threshold"),
        ({"condition": "price_above", "threshold": "Infinity"}, "threshold"),
        ({"condition": "price_above", "threshold": "1e400"}, "threshold"),
        ({"condition": "price_above", "threshold": -1}, "threshold"),
        ({"condition": "price_above", "threshold": [1]}, "threshold"),
        ({"condition": "change_pct", "threshold": 5}, "window"),
        ({"condition": "change_pct", "window": "7d", "threshold": 5}, "window"),
        ({"condition": "change_pct", "window": "1h", "threshold": 0}, "threshold"),
        ({"condition": "price_below", "window": "1h", "threshold": 5}, "window"),
        ({"condition": "fear_greed_below", "threshold": 101, "coin": None}, "threshold"),
        ({"condition": "fear_greed_above", "threshold": 50}, "coin"),  # coin bitcoin given
        ({"coin": "no-such-coin", "condition": "price_above", "threshold": 1}, "coin"),
        ({"coin": "\x00", "condition": "price_above", "threshold": 1}, "coin"),
        ({"coin": None, "condition": "price_above", "threshold": 1}, "coin"),
        ({"condition": "price_above", "threshold": 1, "cooldown_s": -1}, "cooldown_s"),
        ({"condition": "price_above", "threshold": 1, "cooldown_s": 10**12}, "cooldown_s"),
        ({"condition": "price_above", "threshold": 1, "repeat": "perhaps"}, "repeat"),
        ({"condition": "price_above", "threshold": 1, "notify_websocket": False}, "webhook_url"),
        ({"condition": "price_above", "threshold": 1, "webhook_url": "ftp://example.org/x"}, "webhook_url"),
        ({"condition": "price_above", "threshold": 1, "webhook_url": "not a url"}, "webhook_url"),
        ({"condition": "price_above", "threshold": 1, "webhook_url": "http://u:p@127.0.0.1/x"}, "webhook_url"),
        ({"condition": "price_above", "threshold": 1, "webhook_url": "http://127.0.0.1:99999/"}, "webhook_url"),
    ],
)
def test_bad_rules_get_the_error_envelope_naming_the_field(api, coins, body, parameter):
    error = error_of(api.post("/api/alerts", {"coin": "bitcoin", **body}, format="json"), 400)
    assert error["code"] == "invalid_parameter"
    assert error["details"]["parameter"] == parameter


@pytest.mark.parametrize("raw", [b"{", b"[]", b'"x"', b"null", b'{"coin": {"a": 1}}'])
def test_malformed_bodies_get_the_envelope(api, coins, raw):
    response = api.generic("POST", "/api/alerts", raw, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_a_patch_is_checked_against_the_whole_rule(api, coins):
    created = rule(api, condition="change_pct", window="1h", threshold="-5")
    error = error_of(api.patch(f"/api/alerts/{created['id']}", {"window": "2h"}, format="json"), 400)
    assert error["details"]["parameter"] == "window"
    error = error_of(api.patch(f"/api/alerts/{created['id']}", {"condition": "price_above"}, format="json"), 400)
    assert error["details"]["parameter"] == "threshold"  # -5 is no price
    moved = api.patch(f"/api/alerts/{created['id']}", {"condition": "price_above", "threshold": "5"}, format="json")
    assert moved.status_code == 200 and moved.json()["window"] is None


def test_a_free_account_holds_five_rules(api, coins):
    for _ in range(5):
        rule(api)
    error = error_of(
        api.post("/api/alerts", {"coin": "bitcoin", "condition": "price_above", "threshold": 1}, format="json"), 403
    )
    assert error["code"] == "alert_limit_reached" and error["details"]["limit"] == 5


def test_a_pro_account_holds_its_configured_number(settings, coins, make_user, client_for):
    settings.ALERT_RULES_PRO = 7
    pro = client_for(make_user("grace", tier="pro"))
    for _ in range(7):
        rule(pro)
    error = error_of(
        pro.post("/api/alerts", {"coin": "bitcoin", "condition": "price_above", "threshold": 1}, format="json"), 403
    )
    assert error["details"]["limit"] == 7


def test_an_enterprise_account_is_unlimited(settings, coins, make_user, client_for):
    settings.ALERT_RULES_FREE = 1
    enterprise = client_for(make_user("linus", tier="enterprise"))
    for _ in range(12):
        rule(enterprise)
    assert AlertRule.objects.filter(user__username="linus").count() == 12


def test_deleting_a_rule_makes_room_under_the_limit(settings, api, coins):
    settings.ALERT_RULES_FREE = 1
    first = rule(api)
    error_of(
        api.post("/api/alerts", {"coin": "bitcoin", "condition": "price_above", "threshold": 1}, format="json"), 403
    )
    api.delete(f"/api/alerts/{first['id']}")
    rule(api)


def test_an_unknown_delivery_state_filter_is_a_400(api, coins):
    created = rule(api)
    error = error_of(api.get(f"/api/alerts/{created['id']}/deliveries?state=lost"), 400)
    assert error["details"]["parameter"] == "state"


def test_adding_a_webhook_later_shows_its_new_secret_once(api, coins, receiver):
    created = rule(api)
    assert created["webhook_url"] is None and "webhook_secret" not in created
    changed = api.patch(f"/api/alerts/{created['id']}", {"webhook_url": receiver().url}, format="json").json()
    assert changed["webhook_secret"].startswith("whsec_")
    again = api.patch(f"/api/alerts/{created['id']}", {"cooldown_s": 5}, format="json").json()
    assert "webhook_secret" not in again


def test_a_patch_that_leaves_no_target_is_refused(api, coins):
    created = rule(api)
    error = error_of(api.patch(f"/api/alerts/{created['id']}", {"notify_websocket": False}, format="json"), 400)
    assert error["details"]["parameter"] == "webhook_url"

"""When a rule fires: each condition at its boundary, on the crossing only, the cool-down,
one-shot rules, for prices stored through markets' ingest and fear & greed through
sentiment's."""

from datetime import timedelta

import pytest

from alerts.models import AlertRule
from providers.records import FearGreedPoint
from sentiment.services import ingest_fear_greed
from tests.alerts.conftest import T0, active, firings, rule

pytestmark = pytest.mark.django_db(transaction=True)


def test_price_above_fires_just_above_the_threshold_not_at_it(api, prices):
    r = rule(api, condition="price_above", threshold="150")
    prices.store("150")
    assert firings(r["id"]) == []
    prices.store("150.000001")
    [firing] = firings(r["id"])
    assert firing.payload["value"] == "150.000001"
    assert firing.payload["rule"]["coin"] == {"id": "bitcoin", "symbol": "BTC"}


def test_price_below_fires_just_below_the_threshold_not_at_it(api, prices):
    r = rule(api, condition="price_below", threshold="50")
    prices.store("50")
    assert firings(r["id"]) == []
    prices.store("49.99")
    assert [f.payload["value"] for f in firings(r["id"])] == ["49.99"]


def test_a_rule_only_watches_its_own_coin(api, prices):
    r = rule(api, coin="ETH", condition="price_above", threshold="5")  # by symbol; ETH is at 10
    prices.store("1000", "bitcoin", "BTC")
    assert firings(r["id"]) == []
    prices.store("11", "ethereum", "ETH")
    assert len(firings(r["id"])) == 1


def test_change_over_an_hour_fires_at_the_threshold(api, prices):
    r = rule(api, condition="change_pct", window="1h", threshold="10")
    prices.store("109.99", at=T0 + timedelta(hours=1))  # +9.99 % on the price an hour before
    assert firings(r["id"]) == []
    prices.store("110", at=T0 + timedelta(hours=1, minutes=1))
    [firing] = firings(r["id"])
    assert firing.payload["value"] == "10"
    assert firing.payload["reference"] == {"price": "100", "at": "2026-03-01T12:00:00Z"}
    assert firing.payload["price"] == "110"


def test_a_negative_change_threshold_fires_on_a_fall_over_24_hours(api, prices):
    r = rule(api, condition="change_pct", window="24h", threshold="-5")
    prices.store("95.01", at=T0 + timedelta(hours=24))
    assert firings(r["id"]) == []
    prices.store("95", at=T0 + timedelta(hours=24, minutes=1))
    assert [f.payload["value"] for f in firings(r["id"])] == ["-5"]


def test_a_change_rule_waits_while_no_price_a_window_ago_is_stored(api, prices):
    r = rule(api, condition="change_pct", window="1h", threshold="1")
    prices.store("500", at=T0 + timedelta(minutes=20))  # the window's start is before any history
    assert firings(r["id"]) == []
    assert AlertRule.objects.get(pk=r["id"]).last_met is None


def fear_greed(value: int, day: int) -> None:
    point = FearGreedPoint(t=T0 + timedelta(days=day), value=value, classification="Fear")
    ingest_fear_greed(points=[point], source="alternative_me")


def test_fear_greed_below_and_above_fire_beyond_their_thresholds(api, coins):
    below = rule(api, coin=None, condition="fear_greed_below", threshold="20")
    above = rule(api, coin=None, condition="fear_greed_above", threshold="80")
    for payload in (below, above):
        assert payload["coin"] is None
    fear_greed(20, 0)
    fear_greed(80, 1)
    assert firings(below["id"]) == firings(above["id"]) == []
    fear_greed(19, 2)
    fear_greed(81, 3)
    assert [f.payload["value"] for f in firings(below["id"])] == ["19"]
    assert [f.payload["value"] for f in firings(above["id"])] == ["81"]
    assert firings(above["id"])[0].payload["classification"] == "Fear"


def test_backfilled_fear_greed_days_are_not_evaluated(api, coins):
    below = rule(api, coin=None, condition="fear_greed_below", threshold="20")
    fear_greed(50, 10)
    fear_greed(5, 1)  # an older day arriving late is history, not news
    assert firings(below["id"]) == []


def test_a_rule_fires_on_the_crossing_not_on_every_value_beyond_it(api, prices):
    r = rule(api, condition="price_above", threshold="150", repeat=True)
    for price in ("151", "160", "170"):
        prices.store(price)
    assert len(firings(r["id"])) == 1
    prices.store("140")  # back on the other side
    prices.store("155")  # crosses again
    assert len(firings(r["id"])) == 2


def test_a_rule_created_while_its_condition_holds_fires_on_the_next_value(api, prices):
    r = rule(api, condition="price_above", threshold="50")  # bitcoin is already at 100
    prices.store("101")
    assert len(firings(r["id"])) == 1


def test_a_crossing_inside_the_cool_down_does_not_fire(api, prices):
    r = rule(api, condition="price_above", threshold="150", repeat=True, cooldown_s=3600)
    prices.store("151")
    prices.store("140")
    prices.store("152")  # crossed again a minute later: inside the hour
    assert len(firings(r["id"])) == 1
    # The hour passes (the last firing moved back, as waiting would).
    last = AlertRule.objects.get(pk=r["id"]).last_fired_at
    AlertRule.objects.filter(pk=r["id"]).update(last_fired_at=last - timedelta(hours=1, seconds=1))
    prices.store("140")
    prices.store("153")
    assert [f.payload["value"] for f in firings(r["id"])] == ["151", "153"]


def test_a_one_shot_rule_is_disabled_by_its_firing(api, prices):
    r = rule(api, condition="price_above", threshold="150")
    assert r["repeat"] is False and r["active"] is True
    prices.store("151")
    assert not active(r["id"])
    prices.store("140")
    prices.store("160")
    assert len(firings(r["id"])) == 1
    assert api.get(f"/api/alerts/{r['id']}").json()["active"] is False


def test_re_enabling_a_rule_makes_it_new_again(api, prices):
    r = rule(api, condition="price_above", threshold="150")
    prices.store("151")
    assert api.patch(f"/api/alerts/{r['id']}", {"active": True}, format="json").status_code == 200
    prices.store("152")  # still above, but the re-enabled rule has seen no value yet
    assert len(firings(r["id"])) == 2


def test_each_firing_has_its_own_id_and_records_value_and_time(api, prices):
    r = rule(api, condition="price_above", threshold="150", repeat=True)
    prices.store("151")
    prices.store("140")
    prices.store("152")
    first, second = firings(r["id"])
    assert first.id != second.id
    assert first.payload["firing_id"] == str(first.id)
    assert first.payload["observed_at"] == "2026-03-01T12:01:00Z"
    assert AlertRule.objects.get(pk=r["id"]).fired_count == 2

"""Failover with real local servers: a failing primary never delays the answer by much."""

import time

import pytest

from providers import breaker, router
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def primary_and_secondary(upstream, own_fixture, settings, frozen_clock):
    settings.PROVIDER_BREAKER_FAILURES = 4
    settings.PROVIDER_BREAKER_COOLDOWN_S = 60
    settings.PROVIDER_ORDER = {**settings.PROVIDER_ORDER, "markets": ["coingecko", "coincap"]}
    gecko = upstream("coingecko")
    cap = upstream("coincap")
    cap.script("/assets", Reply(own_fixture("coincap/assets.json")))
    return gecko, cap


def fetch_and_time():
    started = time.monotonic()
    fetched = router.fetch_markets(limit=3)
    return fetched, time.monotonic() - started


def test_each_kind_of_primary_failure_is_served_by_the_secondary_then_the_breaker_opens(
    primary_and_secondary, own_fixture, frozen_clock
):
    gecko, cap = primary_and_secondary
    failures = [
        Reply(b'{"status":500,"error":"Internal Server Error"}', status=500),
        Reply(own_fixture("coingecko/coins_markets.json"), delay=5),  # hangs past the 0.5 s timeout
        Reply(b"<!DOCTYPE html><html><title>Attention Required</title></html>", content_type="text/html"),
        Reply(own_fixture("coingecko/coins_markets.json")[:150]),  # truncated JSON
    ]
    for count, failure in enumerate(failures, start=1):
        gecko.script("/coins/markets", failure)
        fetched, elapsed = fetch_and_time()
        assert fetched.provider == "coincap"
        assert elapsed < 2.0, f"failure #{count} took {elapsed:.2f}s"
        # Nothing of the bad payload came through: every row is CoinCap's.
        assert [(row.coincap_id, str(row.price)) for row in fetched.data] == [
            ("bitcoin", "43124.9876543210987654"),
            ("binance-coin", "234.1234567890123456"),
            ("shiba-inu", "0.0000123400000000"),
        ]
        expected = breaker.OPEN if count == len(failures) else breaker.CLOSED
        assert breaker.read("coingecko").state == expected

    # Open: the primary is not even asked.
    asked = len(gecko.hits)
    fetched, _ = fetch_and_time()
    assert fetched.provider == "coincap" and len(gecko.hits) == asked

    # After the cool-down one probe goes through; the recovered primary closes the circuit.
    gecko.script("/coins/markets", Reply(own_fixture("coingecko/coins_markets.json")))
    frozen_clock.advance(61)
    assert breaker.read("coingecko").state == breaker.HALF_OPEN
    fetched, _ = fetch_and_time()
    assert fetched.provider == "coingecko"
    assert [row.coin_id for row in fetched.data] == ["bitcoin", "shiba-inu", "new-listing"]
    assert breaker.read("coingecko").state == breaker.CLOSED


def test_a_failed_probe_opens_the_circuit_again(primary_and_secondary, frozen_clock, settings):
    gecko, _ = primary_and_secondary
    settings.PROVIDER_BREAKER_FAILURES = 1
    gecko.script("/coins/markets", Reply(b"oops", status=503))
    fetch_and_time()
    assert breaker.read("coingecko").state == breaker.OPEN
    frozen_clock.advance(61)
    hits = len(gecko.hits)
    fetched, _ = fetch_and_time()
    assert fetched.provider == "coincap" and len(gecko.hits) > hits
    assert breaker.read("coingecko").state == breaker.OPEN


def test_a_timeout_is_not_retried_on_the_same_provider(primary_and_secondary, own_fixture):
    gecko, _ = primary_and_secondary
    gecko.script("/coins/markets", Reply(own_fixture("coingecko/coins_markets.json"), delay=5))
    fetched, _ = fetch_and_time()
    assert fetched.provider == "coincap" and gecko.hits_on("/coins/markets") == 1


def test_a_server_error_is_retried_once_before_failing_over(primary_and_secondary, own_fixture):
    gecko, _ = primary_and_secondary
    gecko.script("/coins/markets", Reply(b"{}", status=502), Reply(own_fixture("coingecko/coins_markets.json")))
    fetched, _ = fetch_and_time()
    assert fetched.provider == "coingecko" and gecko.hits_on("/coins/markets") == 2


def test_all_providers_failing_says_why_for_each(primary_and_secondary):
    gecko, cap = primary_and_secondary
    gecko.script("/coins/markets", Reply(b"<html></html>", content_type="text/html"))
    cap.script("/assets", Reply(b'{"data": [], "timestamp": 12}'))
    with pytest.raises(router.AllProvidersFailed) as caught:
        router.fetch_markets(limit=3)
    assert set(caught.value.reasons) == {"coingecko", "coincap"}
    assert "HTML" in caught.value.reasons["coingecko"] and "timestamp" in caught.value.reasons["coincap"]


def test_half_open_admits_a_single_probe(frozen_clock, settings):
    settings.PROVIDER_BREAKER_FAILURES = 1
    breaker.record_failure("kraken")
    assert breaker.admit("kraken") == "circuit open"
    frozen_clock.advance(settings.PROVIDER_BREAKER_COOLDOWN_S + 1)
    assert breaker.admit("kraken") is None  # the probe
    assert breaker.admit("kraken") == "circuit half-open, probe in flight"
    breaker.record_success("kraken")
    assert breaker.read("kraken").state == breaker.CLOSED and breaker.admit("kraken") is None


def test_paged_markets_fail_over_when_a_later_page_breaks(upstream, own_fixture, settings):
    import json

    gecko = upstream("coingecko")
    cap = upstream("coincap")
    cap.script("/assets", Reply(own_fixture("coincap/assets.json")))
    page = json.loads(own_fixture("coingecko/coins_markets.json"))[:1] * 250
    gecko.script("/coins/markets", Reply(json.dumps(page).encode()), Reply(b"[{", status=200))
    fetched = router.fetch_markets(limit=300)
    assert fetched.provider == "coincap" and gecko.hits_on("/coins/markets") == 2
    assert [q["page"] for _, q in gecko.hits] == [["1"], ["2"]]
    assert gecko.hits[0][1]["per_page"] == ["250"]

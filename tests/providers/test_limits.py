"""Rate limits (429/418 with Retry-After) and our own per-provider budgets."""

import pytest

from providers import budget, config, router
from providers.models import ProviderSetting
from providers.records import CoinRef
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.timeout(30)
RATE_LIMITED = b'{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}'
BTC = CoinRef("bitcoin", "btc", coincap_id="bitcoin", binance_pair="BTCUSDT")


@pytest.fixture
def gecko_and_cap(upstream, own_fixture):
    gecko = upstream("coingecko")
    cap = upstream("coincap")
    cap.script("/assets", Reply(own_fixture("coincap/assets.json")))
    return gecko, cap


def test_a_short_retry_after_is_waited_out_on_the_same_provider(gecko_and_cap, own_fixture):
    gecko, _ = gecko_and_cap
    gecko.script(
        "/coins/markets",
        Reply(RATE_LIMITED, status=429, headers={"Retry-After": "1"}),
        Reply(own_fixture("coingecko/coins_markets.json")),
    )
    fetched = router.fetch_markets(limit=3)
    assert fetched.provider == "coingecko" and gecko.hits_on("/coins/markets") == 2


def test_a_long_retry_after_blocks_the_provider_until_then(gecko_and_cap, own_fixture, frozen_clock):
    gecko, _ = gecko_and_cap
    gecko.script(
        "/coins/markets",
        Reply(RATE_LIMITED, status=429, headers={"Retry-After": "119"}),
        Reply(own_fixture("coingecko/coins_markets.json")),
    )
    assert router.fetch_markets(limit=3).provider == "coincap"
    assert router.fetch_markets(limit=3).provider == "coincap"
    assert gecko.hits_on("/coins/markets") == 1  # not asked again while it said to wait
    frozen_clock.advance(120)
    assert router.fetch_markets(limit=3).provider == "coingecko"


def test_a_rate_limit_does_not_count_against_the_circuit(gecko_and_cap, settings):
    from providers import breaker

    gecko, _ = gecko_and_cap
    settings.PROVIDER_BREAKER_FAILURES = 1
    gecko.script("/coins/markets", Reply(RATE_LIMITED, status=429, headers={"Retry-After": "119"}))
    router.fetch_markets(limit=3)
    assert breaker.read("coingecko").state == breaker.CLOSED


def test_binance_418_ban_moves_prices_to_the_next_provider(upstream, own_fixture):
    exchange = upstream("binance")
    gecko = upstream("coingecko")
    exchange.script(
        "/api/v3/ticker/24hr", Reply(b'{"code":-1003,"msg":"banned"}', status=418, headers={"Retry-After": "600"})
    )
    gecko.script("/simple/price", Reply(own_fixture("coingecko/simple_price.json")))
    fetched = router.fetch_prices([BTC])
    assert fetched.provider == "coingecko" and fetched.data[0].source == "coingecko"


def test_an_exhausted_minute_budget_skips_to_the_next_provider(gecko_and_cap, own_fixture):
    gecko, _ = gecko_and_cap
    gecko.script("/coins/markets", Reply(own_fixture("coingecko/coins_markets.json")))
    ProviderSetting.objects.create(name="coingecko", budget_per_minute=1)
    config.forget()
    assert router.fetch_markets(limit=3).provider == "coingecko"
    assert router.fetch_markets(limit=3).provider == "coincap"
    assert gecko.hits_on("/coins/markets") == 1
    assert budget.usage("coingecko")["per_minute"] == {"used": 1, "limit": 1}


def test_an_exhausted_month_budget_skips_to_the_next_provider(gecko_and_cap, own_fixture, frozen_clock):
    gecko, _ = gecko_and_cap
    gecko.script("/coins/markets", Reply(own_fixture("coingecko/coins_markets.json")))
    ProviderSetting.objects.create(name="coingecko", budget_per_month=2)
    config.forget()
    for _ in range(2):
        assert router.fetch_markets(limit=3).provider == "coingecko"
        frozen_clock.advance(61)  # a new minute, same month
    assert router.fetch_markets(limit=3).provider == "coincap"
    assert budget.usage("coingecko")["per_month"] == {"used": 2, "limit": 2}


def test_binance_spends_request_weight_and_heeds_its_reported_usage(upstream, own_fixture):
    exchange = upstream("binance")
    gecko = upstream("coingecko")
    exchange.script(
        "/api/v3/ticker/24hr",
        Reply(own_fixture("binance/ticker_24hr_all.json"), headers={"X-MBX-USED-WEIGHT-1M": "5999"}),
    )
    gecko.script("/simple/price", Reply(own_fixture("coingecko/simple_price.json")))
    assert router.fetch_prices([BTC]).provider == "binance"
    # Binance says 5,999 of 6,000 are used (other programs on this IP count too).
    assert budget.usage("binance")["per_minute"]["used"] == 5999
    assert router.fetch_prices([BTC]).provider == "coingecko"
    assert exchange.hits_on("/api/v3/ticker/24hr") == 1

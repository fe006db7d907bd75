"""Other vs currencies from stored usd figures and CoinGecko's stored exchange rates."""

import json
from decimal import Decimal

import pytest

from markets.models import ExchangeRate
from markets.services import collect
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
RATES = "coingecko/exchange_rates.json"  # CoinGecko's spec example: 1 BTC = 75817.765 USD
EUR_PER_USD = Decimal("65223.37") / Decimal("75817.765")


@pytest.fixture
def rates(upstream, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/exchange_rates", Reply(own_fixture(RATES)))
    result = collect.collect_exchange_rates()
    assert result.ok
    return gecko


def approx(value: Decimal):
    return pytest.approx(float(value), rel=1e-12)


def test_the_scheduled_step_stores_every_rate_coingecko_sent(rates, own_fixture):
    sent = json.loads(own_fixture(RATES))["rates"]
    assert ExchangeRate.objects.count() == len(sent)
    assert ExchangeRate.objects.get(key="eur").value == Decimal("65223.37")


def test_exchange_rates_answers_the_stored_rates_in_coingeckos_shape(api, rates, own_fixture):
    sent = json.loads(own_fixture(RATES))
    body = api.get("/api/v3/exchange_rates").json()
    assert body == {"rates": {k: sent["rates"][k] for k in body["rates"]}} and set(body["rates"]) == set(sent["rates"])
    assert next(iter(body["rates"])) == "btc"


def test_exchange_rates_before_any_collection_is_a_503(api, db):
    assert api.get("/api/v3/exchange_rates").status_code == 503


def test_coins_markets_in_eur_converts_point_in_time_values_and_nulls_the_rest(api, listing, rates):
    row = api.get("/api/v3/coins/markets?vs_currency=eur&ids=bitcoin").json()[0]
    assert row["current_price"] == approx(Decimal("65000.12") * EUR_PER_USD)
    assert row["market_cap"] == approx(Decimal("1280000000000") * EUR_PER_USD)
    assert row["price_change_percentage_24h"] is None and row["ath"] is None


def test_simple_price_answers_every_asked_currency_with_a_rate(api, listing, rates):
    body = api.get("/api/v3/simple/price?ids=bitcoin&vs_currencies=usd,eur,jpy&include_24hr_change=true").json()
    assert body["bitcoin"]["usd"] == 65000.12
    assert body["bitcoin"]["eur"] == approx(Decimal("65000.12") * EUR_PER_USD)
    assert set(body["bitcoin"]) == {"usd", "eur", "jpy", "usd_24h_change", "eur_24h_change", "jpy_24h_change"}
    assert body["bitcoin"]["eur_24h_change"] is None and body["bitcoin"]["usd_24h_change"] == -1.5


def test_supported_vs_currencies_lists_the_converted_currencies_too(api, listing, rates):
    listed = api.get("/api/v3/simple/supported_vs_currencies").json()
    assert {"usd", "eur", "gbp", "jpy", "btc", "eth"} <= set(listed)


def test_a_rate_list_without_usd_is_rejected_whole(upstream, db):
    upstream("coingecko").script(
        "/exchange_rates", Reply(b'{"rates": {"eur": {"name": "Euro", "unit": "E", "value": 1, "type": "fiat"}}}')
    )
    assert not collect.collect_exchange_rates().ok
    assert not ExchangeRate.objects.exists()

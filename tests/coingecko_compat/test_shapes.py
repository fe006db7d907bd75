"""Each /api/v3/ answer has the keys of the recorded real CoinGecko answer to the same call."""

import json

import pytest

from markets.services import ingest
from tests.coingecko_compat.conftest import store_candles, store_global, store_history, store_trending

pytestmark = pytest.mark.django_db


def shape(value):
    """The keys, nesting and list arity of a JSON value, without the values."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "value"


def test_ping_answers_like_coingecko(api, recorded):
    assert api.get("/api/v3/ping").json() == recorded("ping.json")


def test_simple_price_has_coingeckos_shape(api, listing, recorded):
    body = api.get("/api/v3/simple/price?ids=bitcoin&vs_currencies=usd").json()
    assert shape(body) == shape(recorded("simple_price.json"))
    assert body == {"bitcoin": {"usd": 65000.12}}


def test_coins_list_has_coingeckos_shape(api, listing, recorded):
    body = api.get("/api/v3/coins/list").json()
    assert shape(body) == shape(recorded("coins_list.json"))
    assert body == [
        {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin"},
        {"id": "ethereum", "symbol": "eth", "name": "Ethereum"},
    ]


def test_coins_markets_rows_have_every_coingecko_field(api, listing, recorded):
    body = api.get("/api/v3/coins/markets?vs_currency=usd").json()
    expected = recorded("coins_markets_bitcoin_usd.json")
    assert list(body[0]) == list(expected[0])
    assert body[0]["id"] == "bitcoin" and body[0]["symbol"] == "btc" and body[0]["market_cap_rank"] == 1
    assert body[0]["last_updated"].endswith("Z") and len(body[0]["last_updated"]) == 24


def test_coins_markets_leaves_what_the_listing_lacked_null(api, listing):
    row = api.get("/api/v3/coins/markets?vs_currency=usd&ids=bitcoin").json()[0]
    assert row["ath"] is None and row["circulating_supply"] is None and row["roi"] is None
    assert row["price_change_percentage_24h"] == -1.5 and row["total_volume"] == 5000


def test_coins_markets_answers_every_field_coingeckos_listing_carried(api, db, recorded):
    from providers.coingecko import parse_markets

    sent = recorded("coins_markets_bitcoin_usd.json")
    ingest.ingest_market_rows(rows=parse_markets(sent, vs="usd"), source="coingecko", track=True)
    row = api.get("/api/v3/coins/markets?vs_currency=usd").json()[0]
    assert row == sent[0]


def test_trending_has_the_current_coingecko_shape(api, listing, recorded):
    store_trending()
    body = api.get("/api/v3/search/trending").json()
    expected = recorded("search_trending_2025.json")
    assert set(body) == set(expected)
    item, expected_item = body["coins"][0]["item"], expected["coins"][0]["item"]
    assert list(item) == list(expected_item)
    assert list(item["data"]) == list(expected_item["data"])
    assert [c["item"]["id"] for c in body["coins"]] == ["ethereum", "bitcoin"]
    assert item["data"]["market_cap"] == "$420,000,000,000"


def test_trending_items_keep_the_older_shapes_keys(api, listing, recorded_fixture):

    store_trending()
    old = json.loads(recorded_fixture("coingecko/search_trending.json"))
    assert set(old["coins"][0]["item"]) <= set(api.get("/api/v3/search/trending").json()["coins"][0]["item"])


def test_global_has_coingeckos_shape(api, db, recorded):
    store_global()
    body = api.get("/api/v3/global").json()
    expected = recorded("global_2025.json")
    assert list(body) == ["data"]
    # In CoinGecko's order; volume_change_percentage_24h_usd is newer than the 2025 recording.
    assert [k for k in body["data"] if k in expected["data"]] == list(expected["data"])
    assert body["data"]["volume_change_percentage_24h_usd"] == 3.5 and body["data"]["markets"] == 1297
    assert body["data"]["total_market_cap"] == {"usd": 2500000000000.25}
    assert body["data"]["market_cap_percentage"] == {"btc": 51.2, "eth": 17.1}


def test_market_chart_has_coingeckos_shape(api, listing, recorded):
    store_history(hours=48)
    body = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1").json()
    assert shape(body) == shape(recorded("market_chart.json"))
    assert all(isinstance(t, int) and t % 1000 == 0 for t, _ in body["prices"])


def test_ohlc_has_coingeckos_shape(api, listing, recorded):
    store_candles(interval="30m", count=30)
    body = api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=1").json()
    assert shape(body) == shape(recorded("coins_ohlc.json"))
    assert body[-1][1:] == [100.5, 110.25, 99, 105.125]


def test_a_missing_vs_currency_is_coingeckos_422(api, db, recorded):
    response = api.get("/api/v3/coins/markets")
    assert response.status_code == 422
    assert response.json() == recorded("error_422_missing_vs_currency.json")


def test_missing_ids_is_coingeckos_422(api, db, recorded):
    response = api.get("/api/v3/simple/price?vs_currencies=usd")
    assert response.status_code == 422
    assert response.json() == recorded("error_422_missing_ids.json")

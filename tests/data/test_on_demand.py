"""Fetching on demand what the collector does not cover (untracked coins, another currency,
uncollected candles, a protocol's TVL history, fear & greed): asked once, stored, then
answered from the database. The network is faked only at the boundary, as in test_collection."""

import json
import time

import pytest
from django.test import override_settings

from markets.models import Coin, LatestQuote
from tests.data.conftest import run
from tests.data.upstream_pages import klines, market_chart
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def test_an_untracked_coin_is_fetched_once_on_demand_and_stored(api, coingecko):
    run("collect_all")
    Coin.objects.create(coin_id="dogwifcoin", symbol="WIF", name="dogwifhat")
    coingecko.script(
        "/simple/price",
        Reply(
            json.dumps(
                {
                    "dogwifcoin": {
                        "usd": 2.3456,
                        "usd_market_cap": 2340000000,
                        "usd_24h_vol": 456000000,
                        "usd_24h_change": 5.5,
                        "last_updated_at": int(time.time()),
                    }
                }
            ).encode()
        ),
    )
    first = api.get("/api/prices?symbols=WIF")
    assert first.status_code == 200 and first.json()["data"][0]["price"] == 2.3456
    assert LatestQuote.objects.filter(coin__coin_id="dogwifcoin").exists()
    hits = coingecko.hits_on("/simple/price")
    api.get("/api/prices?symbols=WIF")
    assert coingecko.hits_on("/simple/price") == hits == 1


def test_a_tracked_coin_is_served_without_asking_a_provider(api, coingecko):
    run("collect_all")
    before = len(coingecko.hits)
    assert api.get("/api/prices?symbols=BTC,ETH").status_code == 200
    assert len(coingecko.hits) == before


def test_an_untracked_coin_with_every_provider_down_is_503(api, db):
    Coin.objects.create(coin_id="dogwifcoin", symbol="WIF", name="dogwifhat")
    response = api.get("/api/prices?symbols=WIF")
    assert response.status_code == 503 and response.json()["error"]["code"] == "no_data"


def test_candles_of_an_uncollected_coin_are_fetched_once_and_stored(api, upstream, coingecko):
    run("collect_all")
    Coin.objects.filter(coin_id="pepe").update(binance_pair="PEPEUSDT")
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(klines(5)))
    with override_settings(OHLCV_COINS=1):  # only bitcoin's candles are collected
        first = api.get("/api/ohlcv?symbol=PEPE&interval=1h")
        assert first.status_code == 200, first.content
        assert first.json()["source"] == "binance" and len(first.json()["data"]) == 5
        api.get("/api/ohlcv?symbol=PEPE&interval=1h&limit=3")
    assert binance.hits_on("/api/v3/klines") == 1


def test_a_protocols_tvl_history_is_fetched_on_first_request(api, upstream):
    llama = upstream("defillama")
    now = int(time.time())
    llama.script(
        "/protocols",
        Reply(
            json.dumps(
                [
                    {
                        "slug": "aave",
                        "name": "Aave",
                        "tvl": 2.1e10,
                        "category": "Lending",
                        "chains": ["Ethereum"],
                        "change_1d": 0.5,
                    }
                ]
            ).encode()
        ),
    )
    llama.script(
        "/protocol/aave",
        Reply(
            json.dumps(
                {
                    "name": "Aave",
                    "tvl": [{"date": now - d * 86400, "totalLiquidityUSD": 2e10 + d} for d in range(30, 0, -1)],
                }
            ).encode()
        ),
    )
    run("collect_defi")
    body = api.get("/api/defi/protocols/aave/tvl?days=10").json()
    assert len(body["data"]) >= 10
    assert llama.hits_on("/protocol/aave") == 1


def test_history_of_an_untracked_coin_is_fetched_once_on_demand(api, coingecko):
    Coin.objects.create(coin_id="dogwifcoin", symbol="WIF", name="dogwifhat")
    coingecko.script("/coins/dogwifcoin/market_chart", Reply(market_chart(48)))
    body = api.get("/api/prices/history?symbol=WIF&days=2&resolution=hourly").json()
    assert len(body["data"]) >= 40 and body["resolution"] == "hourly"
    api.get("/api/prices/history?symbol=WIF&days=2&resolution=daily")
    assert coingecko.hits_on("/coins/dogwifcoin/market_chart") == 1


def test_fear_greed_is_fetched_on_demand_when_nothing_is_stored(api, upstream, recorded_fixture):
    fake = upstream("alternative_me")
    fake.script("/fng/", Reply(recorded_fixture("alternative_me/fng.json")))
    response = api.get("/api/sentiment/fear-greed?days=365")
    assert response.status_code == 200 and response.json()["data"][0]["value"] == 71


def test_another_currency_is_fetched_on_demand_for_a_tracked_coin(api, coingecko):
    run("collect_all")
    coingecko.script(
        "/simple/price",
        Reply(json.dumps({"bitcoin": {"eur": 61000.5, "last_updated_at": int(time.time())}}).encode()),
    )
    body = api.get("/api/prices?symbols=BTC&vs=eur").json()
    assert body["data"][0]["price"] == 61000.5
    assert LatestQuote.objects.filter(coin__coin_id="bitcoin", vs="eur").exists()

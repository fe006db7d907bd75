"""Collection end to end: the real router and providers, the network faked only at the
boundary by stand-in servers on 127.0.0.1 answering in each provider's own JSON format."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from markets.models import Coin, GlobalSnapshot, HourlyPrice, LatestQuote, PriceSnapshot, Protocol, TrendingSnapshot
from markets.services import collect, ingest
from sentiment.models import FearGreedPoint
from tests.data.conftest import quote
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def markets_page(count: int = 3, *, price_of_first=67123.45) -> bytes:
    rows = [
        {
            "id": coin_id,
            "symbol": symbol,
            "name": name,
            "image": f"https://assets.coingecko.com/coins/images/{i}/large/{coin_id}.png",
            "current_price": price_of_first if i == 0 else 0.00001234 if coin_id == "pepe" else 3456.7,
            "market_cap": 1327000000000 // (i + 1),
            "market_cap_rank": i + 1,
            "total_volume": 28000000000,
            "price_change_percentage_24h": -1.2345,
            "circulating_supply": 19700000.0,
            "last_updated": iso_now(),
        }
        for i, (coin_id, symbol, name) in enumerate(
            [("bitcoin", "btc", "Bitcoin"), ("ethereum", "eth", "Ethereum"), ("pepe", "pepe", "Pepe")][:count]
        )
    ]
    return json.dumps(rows).encode()


GLOBAL = {
    "data": {
        "active_cryptocurrencies": 12000,
        "total_market_cap": {"usd": 2.45e12, "eur": 2.2e12},
        "total_volume": {"usd": 9.1e10},
        "market_cap_percentage": {"btc": 54.1, "eth": 12.3},
        "market_cap_change_percentage_24h_usd": 0.8,
        "updated_at": 0,
    }
}
TRENDING = {
    "coins": [
        {"item": {"id": "pepe", "coin_id": 29850, "name": "Pepe", "symbol": "PEPE", "market_cap_rank": 3, "score": 0}},
        {"item": {"id": "bitcoin", "coin_id": 1, "name": "Bitcoin", "symbol": "BTC", "market_cap_rank": 1, "score": 1}},
    ],
    "exchanges": [],
}


# What a cycle also asks CoinGecko for (the /api/v3/ directories and rates), as its docs write them.
DIRECTORIES = {
    "/exchange_rates": "coingecko/exchange_rates.json",
    "/coins/categories": "coingecko/coins_categories.json",
    "/global/decentralized_finance_defi": "coingecko/global_defi.json",
    "/asset_platforms": "coingecko/asset_platforms.json",
}


@pytest.fixture
def coingecko(upstream, own_fixture):
    fake = upstream("coingecko")
    fake.script("/coins/markets", Reply(markets_page()))
    GLOBAL["data"]["updated_at"] = int(time.time())
    fake.script("/global", Reply(json.dumps(GLOBAL).encode()))
    fake.script("/search/trending", Reply(json.dumps(TRENDING).encode()))
    for path, fixture in DIRECTORIES.items():
        fake.script(path, Reply(own_fixture(fixture)))
    return fake


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_collect_all_stores_the_listing_global_and_trending(coingecko):
    output = run("collect_all")
    assert "markets: stored 3 from coingecko" in output
    assert "global: stored 1 from coingecko" in output and "trending: stored 2" in output
    assert set(Coin.objects.filter(tracked=True).values_list("coin_id", flat=True)) == {"bitcoin", "ethereum", "pepe"}
    assert LatestQuote.objects.get(coin__coin_id="pepe").price.normalize() == Decimal("0.00001234")
    assert PriceSnapshot.objects.filter(source="coingecko").count() == 3
    assert GlobalSnapshot.objects.get().btc_dominance_pct == Decimal("54.1")
    assert list(TrendingSnapshot.objects.values_list("coin__coin_id", flat=True)) == ["pepe", "bitcoin"]


def test_a_repeated_cycle_with_the_same_upstream_rows_stores_nothing_twice(coingecko):
    run("collect_all")
    counts = [PriceSnapshot.objects.count(), GlobalSnapshot.objects.count(), Coin.objects.count()]
    run("collect_all")
    assert [PriceSnapshot.objects.count(), GlobalSnapshot.objects.count(), Coin.objects.count()] == counts


def test_collected_prices_come_back_through_the_api_with_every_digit(api, coingecko):
    run("collect_all")
    response = api.get("/api/prices?symbols=pepe,BTC")
    assert b'"price":0.00001234' in response.content and b'"price":67123.45' in response.content
    assert response.json()["stale"] is False


def test_impossible_upstream_data_is_rejected_whole(api, coingecko):
    coingecko.script("/coins/markets", Reply(markets_page(price_of_first=-5)))
    output = run("collect_markets")  # global and trending still succeed
    assert "markets: stored" not in output
    assert not PriceSnapshot.objects.exists()
    assert not Coin.objects.filter(tracked=True).exists()


def test_a_cycle_with_every_provider_down_exits_non_zero_with_one_line(db):
    with pytest.raises(CommandError) as failure:
        run("collect_all")
    assert "\n" not in str(failure.value)
    assert "all providers failed" in str(failure.value)


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


def market_chart(hours: int) -> bytes:
    now_ms = int(time.time() // 3600 * 3600 * 1000)
    stamps = [now_ms - h * 3_600_000 - 60_000 for h in range(hours, 0, -1)]
    return json.dumps(
        {
            "prices": [[t, 60000 + i] for i, t in enumerate(stamps)],
            "market_caps": [[t, 1.2e12 + i] for i, t in enumerate(stamps)],
            "total_volumes": [[t, 3e10] for t in stamps],
        }
    ).encode()


def test_backfill_fetches_only_the_gaps_and_never_twice(coingecko):
    run("collect_all")
    coingecko.script("/coins/bitcoin/market_chart", Reply(market_chart(24 * 3)))
    output = run("backfill_history", "--days", "3", "--symbols", "BTC")
    stored = HourlyPrice.objects.filter(coin__coin_id="bitcoin").count()
    assert "backfill BTC: stored" in output and stored >= 70
    assert coingecko.hits_on("/coins/bitcoin/market_chart") == 1

    output = run("backfill_history", "--days", "3", "--symbols", "BTC")
    assert coingecko.hits_on("/coins/bitcoin/market_chart") == 1, output
    assert HourlyPrice.objects.filter(coin__coin_id="bitcoin").count() == stored


def test_backfill_stops_when_providers_fail_and_resumes_later(coingecko):
    run("collect_all")
    coingecko.script("/coins/bitcoin/market_chart", Reply(b'{"status": {"error_code": 429}}', 429))
    with pytest.raises(CommandError):
        run("backfill_history", "--days", "2", "--symbols", "BTC,ETH")
    assert not HourlyPrice.objects.exists()


def test_collect_defi_stores_protocols_and_chains(upstream, recorded_fixture):
    fake = upstream("defillama")
    fake.script("/protocols", Reply(recorded_fixture("defillama/protocols.json")))
    fake.script("/v2/chains", Reply(recorded_fixture("defillama/chains.json")))
    output = run("collect_defi")
    assert "defi protocols: stored" in output and "defi chains: stored" in output
    assert Protocol.objects.exists()


def test_collect_sentiment_stores_fear_and_greed_even_when_news_fails(upstream, recorded_fixture):
    fake = upstream("alternative_me")
    fake.script("/fng/", Reply(recorded_fixture("alternative_me/fng.json")))
    output = run("collect_sentiment", "--days", "2")
    assert "fear & greed: stored 2" in output
    assert list(FearGreedPoint.objects.values_list("value", flat=True)) == [71, 71]


def test_rollup_runs_as_part_of_the_cycle(coingecko):
    hour_ago = datetime.now(UTC) - timedelta(hours=2)
    run("collect_all")
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "1", hour_ago)], source="coingecko")
    results = collect.collect_all()
    assert next(r for r in results if r.name == "rollup").stored >= 1
    assert HourlyPrice.objects.filter(coin__coin_id="bitcoin").exists()


def test_collect_prices_tracks_the_top_coins_first_when_nothing_is_tracked(coingecko):
    assert "markets: stored 3 from coingecko" in run("collect_prices")
    coingecko.script(
        "/simple/price",
        Reply(json.dumps({"bitcoin": {"usd": 1.5, "last_updated_at": int(time.time())}}).encode()),
    )
    assert "prices: stored" in run("collect_prices")


def klines(count: int) -> bytes:
    start = int(time.time() // 3600 * 3600 - count * 3600) * 1000
    rows = [
        [
            start + i * 3_600_000,
            "100.5",
            "110.25",
            "99.0",
            "105.125",
            "12.5",
            start + (i + 1) * 3_600_000 - 1,
            "1300.0",
            42,
            "6.0",
            "650.0",
            "0",
        ]
        for i in range(count)
    ]
    return json.dumps(rows).encode()


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


def test_collect_ohlcv_stores_candles_of_the_most_watched_coins(upstream, coingecko):
    run("collect_all")
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT")
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(klines(24)))
    output = run("collect_ohlcv", "--symbols", "BTC", "--intervals", "1h")
    assert "ohlcv BTC 1h: stored 24 from binance" in output


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


def test_the_registry_refresh_lists_every_coin_and_gives_pairs_to_the_largest(upstream, coingecko, recorded_fixture):
    run("collect_all")  # ranks and market caps first
    coingecko.script("/coins/list", Reply(recorded_fixture("coingecko/coins_list.json")))
    binance = upstream("binance")
    binance.script("/api/v3/exchangeInfo", Reply(recorded_fixture("binance/exchange_info.json")))
    output = run("collect_markets", "--registry")
    assert "registry: stored 200 from coingecko" in output
    assert Coin.objects.count() >= 200
    assert Coin.objects.get(coin_id="bitcoin").binance_pair == "BTCUSDT"
    assert Coin.objects.get(coin_id="bitcoin").market_cap_rank == 1


def test_the_scheduled_cycle_spends_coingecko_calls_only_when_they_are_due(coingecko):
    coingecko.script(
        "/simple/price",
        Reply(json.dumps({"bitcoin": {"usd": 1.5, "last_updated_at": int(time.time())}}).encode()),
    )
    for _ in range(3):
        collect.collect_all(due_only=True)
    assert coingecko.hits_on("/coins/markets") == 1  # the first cycle tracked and priced the top coins
    assert coingecko.hits_on("/global") == 1 and coingecko.hits_on("/search/trending") == 1
    assert coingecko.hits_on("/simple/price") == 2  # the later cycles asked for live prices only


def test_a_failed_listing_is_retried_on_the_next_cycle(coingecko, settings):
    settings.PROVIDER_RETRIES = 0
    coingecko.script("/coins/markets", Reply(b"oops", 500), Reply(markets_page()))
    first = collect.collect_all(due_only=True)
    assert not next(r for r in first if r.name == "markets").ok
    second = collect.collect_all(due_only=True)
    assert next(r for r in second if r.name == "markets").ok


def test_another_currency_is_fetched_on_demand_for_a_tracked_coin(api, coingecko):
    run("collect_all")
    coingecko.script(
        "/simple/price",
        Reply(json.dumps({"bitcoin": {"eur": 61000.5, "last_updated_at": int(time.time())}}).encode()),
    )
    body = api.get("/api/prices?symbols=BTC&vs=eur").json()
    assert body["data"][0]["price"] == 61000.5
    assert LatestQuote.objects.filter(coin__coin_id="bitcoin", vs="eur").exists()


@pytest.mark.parametrize("failure", ["server_error", "hang", "html", "truncated"])
def test_a_failing_primary_stores_nothing_of_its_payload_and_the_secondary_is_stored(upstream, own_fixture, failure):
    gecko, cap = upstream("coingecko"), upstream("coincap")
    cap.script("/assets", Reply(own_fixture("coincap/assets.json")))
    page = markets_page()
    gecko.script(
        "/coins/markets",
        {
            "server_error": Reply(b'{"error": "Internal Server Error"}', status=500),
            "hang": Reply(page, delay=5),  # past the 0.5 s timeout
            "html": Reply(b"<!DOCTYPE html><html><title>Attention Required</title></html>", content_type="text/html"),
            "truncated": Reply(page[:150]),
        }[failure],
    )
    assert "markets: stored 3 from coincap" in run("collect_markets")
    assert set(PriceSnapshot.objects.values_list("source", flat=True)) == {"coincap"}
    assert not PriceSnapshot.objects.filter(price=Decimal("67123.45")).exists()
    assert not Coin.objects.filter(coin_id="pepe").exists()


def test_backfill_beyond_a_year_continues_from_exchange_candles_gap_only(coingecko, upstream, settings):
    settings.HISTORY_RETENTION_DAYS = 500
    run("collect_all")
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT")
    coingecko.script("/coins/bitcoin/market_chart", Reply(market_chart(24 * 3)))
    day = 86_400_000
    today = int(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)
    rows = [
        [t, "20000", "21000", "19000", "20500", "10", t + day - 1, "205000", 5, "5", "7", "0"]
        for t in range(today - 479 * day, today - 370 * day, day)
    ]
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(json.dumps(rows).encode()))
    output = run("backfill_history", "--days", "480", "--symbols", "BTC")
    assert "coingecko" in output and "binance" in output, output
    old = HourlyPrice.objects.filter(coin__coin_id="bitcoin", t__lt=datetime.now(UTC) - timedelta(days=366))
    assert old.count() == len(rows) and set(old.values_list("source", flat=True)) == {"binance"}
    recent = HourlyPrice.objects.filter(coin__coin_id="bitcoin", t__gte=datetime.now(UTC) - timedelta(days=4))
    assert set(recent.values_list("source", flat=True)) >= {"coingecko"}
    assert binance.hits_on("/api/v3/klines") == 1

    run("backfill_history", "--days", "480", "--symbols", "BTC")  # everything asked: nothing twice
    assert binance.hits_on("/api/v3/klines") == 1

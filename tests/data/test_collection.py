"""Collection end to end: the real router and providers, the network faked only at the
boundary by stand-in servers on 127.0.0.1 answering in each provider's own JSON format.
On-demand fetches are in test_on_demand, history backfills in test_backfill."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError

from markets.models import Coin, GlobalSnapshot, HourlyPrice, LatestQuote, PriceSnapshot, Protocol, TrendingSnapshot
from markets.services import collect, ingest
from sentiment.models import FearGreedPoint
from tests.data.conftest import quote, run
from tests.data.upstream_pages import klines, markets_page
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


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


def test_collect_ohlcv_stores_candles_of_the_most_watched_coins(upstream, coingecko):
    run("collect_all")
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT")
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(klines(24)))
    output = run("collect_ohlcv", "--symbols", "BTC", "--intervals", "1h")
    assert "ohlcv BTC 1h: stored 24 from binance" in output


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

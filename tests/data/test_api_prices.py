from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from markets.models import LatestQuote
from markets.services import ingest, ingest_overview
from providers.records import GlobalStats, TrendingEntry
from tests.data.conftest import market_row, quote

pytestmark = pytest.mark.django_db


def test_prices_by_symbol_are_case_insensitive(api, listing):
    body = api.get("/api/prices?symbols=btc,Eth").json()
    assert [row["coin_id"] for row in body["data"]] == ["bitcoin", "ethereum"]
    row = body["data"][0]
    assert set(row) == {"symbol", "coin_id", "name", "price", "market_cap", "volume_24h", "change_24h_pct"} | {
        "as_of",
        "source",
    }
    assert row["symbol"] == "BTC" and row["source"] == "coingecko" and row["as_of"].endswith("Z")
    assert body["stale"] is False


def test_prices_print_the_stored_digits_exactly(api, listing):
    listing(market_row("pepe", "pepe", price="0.00001234", cap="4200000000000.5", rank=3))
    response = api.get("/api/prices?ids=pepe")
    assert b'"price":0.00001234' in response.content
    assert b'"market_cap":4200000000000.5' in response.content
    assert response.json()["data"][0]["price"] == pytest.approx(0.00001234)


def test_a_shared_symbol_resolves_to_the_largest_market_cap(api, listing):
    listing(market_row("bitcoin-wannabe", "btc", price="0.1", cap="1000", rank=5000), track=False)
    assert api.get("/api/prices?symbols=BTC").json()["data"][0]["coin_id"] == "bitcoin"
    assert api.get("/api/prices?ids=bitcoin-wannabe").json()["data"][0]["coin_id"] == "bitcoin-wannabe"


def test_an_unknown_symbol_is_a_404_envelope(api, listing):
    response = api.get("/api/prices?symbols=BTC,NOPE")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_symbol"


@override_settings(COLLECT_INTERVAL_S=300)
def test_prices_older_than_two_intervals_are_stale(api, db):
    old = datetime.now(UTC) - timedelta(seconds=601)
    ingest.ingest_market_rows(rows=[market_row("bitcoin", "btc", as_of=old)], source="coingecko", track=True)
    assert api.get("/api/prices?symbols=BTC").json()["stale"] is True
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "1", datetime.now(UTC))], source="coingecko")
    assert api.get("/api/prices?symbols=BTC").json()["stale"] is False


def test_a_tracked_coin_without_data_is_503_without_asking_a_provider(api, listing):
    LatestQuote.objects.all().delete()
    response = api.get("/api/prices?symbols=BTC")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_data"


def test_new_data_refreshes_the_cached_answer(api, listing):
    assert api.get("/api/prices?symbols=BTC").json()["data"][0]["price"] == 65000.12
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "70000", datetime.now(UTC))], source="coingecko")
    assert api.get("/api/prices?symbols=BTC").json()["data"][0]["price"] == 70000


def test_market_lists_top_coins_with_rank_image_and_global(api, listing):
    ingest_overview.ingest_global(
        stats=GlobalStats(datetime.now(UTC), Decimal("2.5e12"), Decimal("9e10"), btc_dominance_pct=Decimal("51.2")),
        source="coingecko",
    )
    body = api.get("/api/market?limit=1").json()
    assert [row["rank"] for row in body["data"]] == [1]
    assert body["data"][0]["image"].startswith("https://")
    assert body["global"]["total_market_cap_usd"] == 2500000000000
    assert body["global"]["btc_dominance_pct"] == 51.2


def test_market_listing_costs_a_fixed_number_of_queries(api, listing, django_assert_max_num_queries):
    listing(*[market_row(f"coin-{i}", f"c{i}", rank=i + 1, cap=str(1000 - i)) for i in range(120)])
    with django_assert_max_num_queries(4):
        assert len(api.get("/api/market?limit=100").json()["data"]) == 100


def test_prices_for_many_symbols_cost_a_fixed_number_of_queries(api, listing, django_assert_max_num_queries):
    listing(*[market_row(f"coin-{i}", f"c{i}", rank=i + 1, cap=str(1000 - i)) for i in range(50)])
    symbols = ",".join(f"C{i}" for i in range(50))
    with django_assert_max_num_queries(4):
        assert len(api.get(f"/api/prices?symbols={symbols}").json()["data"]) == 50


def test_trending_returns_the_newest_list(api, listing):
    ingest_overview.ingest_trending(
        entries=[
            TrendingEntry("pepe", "pepe", "Pepe", 1, score=Decimal(0)),
            TrendingEntry("bitcoin", "btc", "Bitcoin", 2),
        ],
        source="coingecko",
    )
    body = api.get("/api/trending").json()
    assert [(r["symbol"], r["rank"]) for r in body["data"]] == [("PEPE", 1), ("BTC", 2)]
    assert set(body["data"][0]) == {"symbol", "coin_id", "name", "rank", "score", "as_of"}


def test_an_unknown_market_cap_is_stored_and_served_as_null_not_zero(api, listing):
    listing(market_row("pepe", "pepe", price="0.00001234", cap=None, rank=3))
    assert LatestQuote.objects.get(coin__coin_id="pepe").market_cap is None
    row = api.get("/api/prices?ids=pepe").json()["data"][0]
    assert row["market_cap"] is None and row["price"] == 0.00001234

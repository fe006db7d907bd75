"""/api/v3/ endpoints beyond the first eight: search, supported currencies, history, range."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.coingecko_compat.conftest import store_history
from tests.data.conftest import market_row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v3/ping/", "/api/v3/coins/list/", "/api/v3/coins/markets/?vs_currency=usd"])
def test_every_path_accepts_a_trailing_slash(api, listing, path):
    assert api.get(path).status_code == 200


def test_search_finds_coins_by_symbol_name_or_id_exact_symbol_first(api, listing):
    listing(market_row("wrapped-bitcoin", "wbtc", rank=20), track=False)
    body = api.get("/api/v3/search?query=btc").json()
    assert [c["id"] for c in body["coins"]] == ["bitcoin", "wrapped-bitcoin"]
    assert body["coins"][0] == {
        "id": "bitcoin",
        "name": "Bitcoin",
        "api_symbol": "bitcoin",
        "symbol": "BTC",
        "market_cap_rank": 1,
        "thumb": "https://img.example/bitcoin.png",
        "large": "https://img.example/bitcoin.png",
    }
    assert body["exchanges"] == [] and body["nfts"] == [] and body["categories"] == [] and body["icos"] == []


def test_search_without_a_query_is_coingeckos_422(api, db):
    assert api.get("/api/v3/search").status_code == 422


def test_supported_vs_currencies_lists_the_currencies_prices_are_stored_in(api, listing):
    assert api.get("/api/v3/simple/supported_vs_currencies").json() == ["usd"]


def test_history_answers_the_close_of_that_days_first_hour(api, listing):
    store_history(hours=72)
    day = (datetime.now(UTC) - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    body = api.get(f"/api/v3/coins/bitcoin/history?date={day:%d-%m-%Y}").json()
    assert body["id"] == "bitcoin" and body["symbol"] == "btc"
    assert set(body["market_data"]) == {"current_price", "market_cap", "total_volume"}
    assert body["market_data"]["market_cap"] == {"usd": 1200000000000.5}


def test_history_of_a_day_without_data_answers_empty_market_data(api, listing):
    body = api.get("/api/v3/coins/bitcoin/history?date=01-01-2015").json()
    assert body["market_data"] == {"current_price": {}, "market_cap": {}, "total_volume": {}}


@pytest.mark.parametrize("date", ["2024-01-01", "31-02-2024"])
def test_history_rejects_a_date_not_in_coingeckos_format(api, listing, date):
    assert api.get(f"/api/v3/coins/bitcoin/history?date={date}").status_code in (400, 422)


def test_market_chart_range_is_hourly_beyond_a_day(api, listing):
    store_history(hours=48)
    now = int(datetime.now(UTC).timestamp())
    body = api.get(f"/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from={now - 40 * 3600}&to={now}").json()
    times = [t for t, _ in body["prices"]]
    assert len(times) >= 39 and all(b - a == 3600_000 for a, b in zip(times, times[1:], strict=False))
    assert len(body["market_caps"]) == len(times) == len(body["total_volumes"])


def test_market_chart_range_of_an_unknown_coin_is_404(api, db):
    response = api.get("/api/v3/coins/nope/market_chart/range?vs_currency=usd&from=1700000000&to=1700086400")
    assert response.status_code == 404 and response.json() == {"error": "coin not found"}


def test_market_chart_range_needs_from_and_to(api, listing):
    assert api.get("/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=1").status_code == 422


def test_coins_list_answers_the_platforms_the_coin_list_carried(api, listing):
    from markets.services import registry
    from providers.coingecko_coins import parse_coin_list

    sent = [
        {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "platforms": {}},
        {"id": "usd-coin", "symbol": "usdc", "name": "USDC", "platforms": {"ethereum": "0xa0b8", "solana": None}},
    ]
    registry.upsert_listings(listings=parse_coin_list(sent))
    body = api.get("/api/v3/coins/list?include_platform=true").json()
    assert {
        "id": "usd-coin",
        "symbol": "usdc",
        "name": "USDC",
        "platforms": {"ethereum": "0xa0b8", "solana": None},
    } in body
    assert {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "platforms": {}} in body
    assert "platforms" not in api.get("/api/v3/coins/list").json()[0]


def test_market_chart_of_one_day_answers_5_minute_points_from_the_raw_snapshots(api, listing):
    from decimal import Decimal

    from markets.services import ingest
    from providers.records import Quote

    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)
    for minute in range(30):
        t = start + timedelta(minutes=minute, seconds=10)
        ingest.ingest_quotes(quotes=[Quote("bitcoin", "BTC", Decimal(60000 + minute), t)], source="binance")
    body = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1").json()
    times = [t for t, _ in body["prices"]]
    slots = [t // 300_000 for t in times]
    assert slots == sorted(set(slots)) and 6 <= len(times) <= 9  # one point per 5-minute slot
    origin = int(start.timestamp() * 1000) + 10_000
    # Each full slot's point is its last snapshot, at that snapshot's own time (the newest
    # point is the listing's own snapshot, stored now).
    for t, price in body["prices"][1:-2]:
        assert (t // 60_000) % 5 == 4 and price == 60000 + (t - origin) // 60_000
    # The price-only snapshots carry no market cap: only the listing's point has one.
    assert len(body["market_caps"]) == 1


def test_market_chart_of_one_day_falls_back_to_hourly_without_raw_snapshots(api, listing):
    from markets.models import PriceSnapshot

    store_history(hours=30)
    PriceSnapshot.objects.all().delete()
    body = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1").json()
    times = [t for t, _ in body["prices"]]
    assert len(times) >= 23 and all(b - a == 3_600_000 for a, b in zip(times, times[1:], strict=False))

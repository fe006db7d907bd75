from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from markets.models import Coin, Protocol
from markets.services import ingest_defi, ingest_history, ingest_overview
from providers.records import Candle, ChainTVL, FearGreedPoint, ProtocolTVL, TrendingEntry, TVLPoint
from providers.validation import InvalidRecord
from sentiment.services import ingest_fear_greed

pytestmark = pytest.mark.django_db


def store_candles(coin_id="bitcoin", interval="1h", count=30, source="binance"):
    coin = Coin.objects.get(coin_id=coin_id)
    start = (datetime.now(UTC) - timedelta(hours=count)).replace(minute=0, second=0, microsecond=0)
    bars = [
        Candle(
            t=start + timedelta(hours=i),
            open=Decimal("100.5"),
            high=Decimal("110.25"),
            low=Decimal("99"),
            close=Decimal("105.125"),
            volume=Decimal("12.5"),
        )
        for i in range(count)
    ]
    ingest_history.ingest_candles(coin=coin, interval=interval, candles=bars, source=source)
    return start


def test_ohlcv_returns_the_newest_bars_oldest_first(api, listing):
    start = store_candles(count=30)
    body = api.get("/api/ohlcv?symbol=btc&interval=1h&limit=10").json()
    assert (body["symbol"], body["interval"], body["source"]) == ("BTC", "1h", "binance")
    times = [bar["t"] for bar in body["data"]]
    assert len(times) == 10 and times == sorted(times)
    assert times[-1] == (start + timedelta(hours=29)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert set(body["data"][0]) == {"t", "open", "high", "low", "close", "volume"}
    assert body["data"][0]["close"] == 105.125


def test_ohlcv_honours_start_and_end_in_unix_seconds_or_iso(api, listing):
    start = store_candles(count=30)
    end = start + timedelta(hours=4)
    params = {"symbol": "BTC", "interval": "1h", "start": int(start.timestamp()), "end": end.isoformat()}
    body = api.get("/api/ohlcv", params).json()
    assert len(body["data"]) == 5


def test_ohlcv_as_csv_for_spreadsheets(api, listing):
    store_candles(count=3)
    response = api.get("/api/ohlcv?symbol=BTC&interval=1h&format=csv")
    lines = response.content.decode().splitlines()
    assert response["Content-Disposition"] == 'attachment; filename="BTC-1h.csv"'
    assert lines[0] == "t,open,high,low,close,volume"
    assert lines[1].split(",")[1:] == ["100.5", "110.25", "99", "105.125", "12.5"]


def test_a_csv_request_that_fails_still_gets_the_json_envelope(api, listing):
    response = api.get("/api/ohlcv?symbol=NOPE&format=csv")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_symbol"


def test_protocols_by_tvl_with_chain_and_category_filters(api, db):
    as_of = datetime.now(UTC)
    ingest_defi.ingest_protocols(
        protocols=[
            ProtocolTVL(
                "aave", "Aave", Decimal("20000000000.5"), as_of, Decimal("1.2"), "Lending", ("Ethereum", "Base")
            ),
            ProtocolTVL("lido", "Lido", Decimal("30000000000"), as_of, None, "Liquid Staking", ("Ethereum",)),
            ProtocolTVL("jito", "Jito", Decimal("2000000000"), as_of, None, "Liquid Staking", ("Solana",)),
        ],
        source="defillama",
    )
    body = api.get("/api/defi/protocols").json()
    assert [p["slug"] for p in body["data"]] == ["lido", "aave", "jito"]
    assert set(body["data"][0]) >= {"slug", "name", "tvl", "change_1d_pct", "chains", "category", "as_of"}
    assert [p["slug"] for p in api.get("/api/defi/protocols?chain=base").json()["data"]] == ["aave"]
    staking = api.get("/api/defi/protocols", {"category": "liquid staking", "limit": 1}).json()["data"]
    assert [p["slug"] for p in staking] == ["lido"]
    assert b'"tvl":20000000000.5' in api.get("/api/defi/protocols?chain=Base").content


def test_protocol_tvl_history_and_unknown_slug(api, db):
    now = datetime.now(UTC)
    ingest_defi.ingest_protocols(protocols=[ProtocolTVL("aave", "Aave", Decimal(5), now)], source="defillama")
    points = [TVLPoint(now - timedelta(days=d), Decimal(100 + d)) for d in range(1, 40)]
    ingest_defi.ingest_protocol_tvl(protocol=Protocol.objects.get(slug="aave"), points=points, source="defillama")
    body = api.get("/api/defi/protocols/aave/tvl?days=10").json()
    assert [p["tvl"] for p in body["data"]][-2:] == [101, 5]
    assert len(body["data"]) == 10
    missing = api.get("/api/defi/protocols/nope/tvl")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_protocol"


def test_chains_by_tvl(api, db):
    now = datetime.now(UTC)
    ingest_defi.ingest_chains(
        chains=[ChainTVL("Solana", Decimal("9e9"), now, "SOL"), ChainTVL("Ethereum", Decimal("6e10"), now, "ETH")],
        source="defillama",
    )
    data = api.get("/api/defi/chains").json()["data"]
    assert [(c["name"], c["tvl"]) for c in data] == [("Ethereum", 60000000000), ("Solana", 9000000000)]


def test_fear_greed_newest_first_within_days(api, db):
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ingest_fear_greed(
        points=[FearGreedPoint(today - timedelta(days=d), 50 + d, "Neutral") for d in range(10)],
        source="alternative_me",
    )
    data = api.get("/api/sentiment/fear-greed?days=3").json()["data"]
    assert [p["value"] for p in data] == [50, 51, 52]
    assert set(data[0]) == {"t", "value", "classification"}


def test_fear_greed_rejects_a_value_over_100(db):
    with pytest.raises(InvalidRecord):
        ingest_fear_greed(points=[FearGreedPoint(datetime.now(UTC), 101, "Greed")], source="alternative_me")


@pytest.mark.parametrize("path", ["/api/trending", "/api/defi/chains", "/api/defi/protocols", "/api/market"])
def test_an_empty_database_answers_503_no_data(api, db, path):
    response = api.get(path)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_data"


def test_protocol_list_costs_a_fixed_number_of_queries(api, db, django_assert_max_num_queries):
    now = datetime.now(UTC)
    ingest_defi.ingest_protocols(
        protocols=[ProtocolTVL(f"p{i}", f"P{i}", Decimal(i), now, chains=("Ethereum",)) for i in range(200)],
        source="defillama",
    )
    with django_assert_max_num_queries(2):
        assert len(api.get("/api/defi/protocols?limit=150").json()["data"]) == 150


@pytest.mark.parametrize(
    "path,limit",
    [
        ("/api/ohlcv?symbol=BTC&interval=1h&limit=1000", 5),
        ("/api/prices/history?symbol=BTC&days=30", 7),
        ("/api/trending", 3),
        ("/api/defi/chains", 2),
    ],
)
def test_list_endpoints_cost_a_fixed_number_of_queries(api, listing, path, limit, django_assert_max_num_queries):
    store_candles(count=300)
    now = datetime.now(UTC)
    ingest_defi.ingest_chains(chains=[ChainTVL(f"Chain{i}", Decimal(i), now) for i in range(50)], source="defillama")
    ingest_overview.ingest_trending(
        entries=[TrendingEntry("bitcoin", "btc", "Bitcoin", i + 1) for i in range(15)], source="x"
    )
    with django_assert_max_num_queries(limit):
        assert api.get(path).status_code == 200

"""Every read endpoint answers bad or hostile parameters with a 400 envelope naming the parameter."""

import pytest

pytestmark = pytest.mark.django_db

HOSTILE = ["x" * 10_000, "ünïcödé☃", "1; DROP TABLE markets_coin;--", "' OR 1=1 --", "%00", "\x00", "-1", "1e309"]

CASES = [
    ("/api/prices?symbols={}", "symbols"),
    ("/api/prices?ids={}", "ids"),
    ("/api/prices?symbols=BTC&vs={}", "vs"),
    ("/api/market?limit={}", "limit"),
    ("/api/market?vs={}", "vs"),
    ("/api/ohlcv?symbol=BTC&interval={}", "interval"),
    ("/api/ohlcv?symbol=BTC&start={}", "start"),
    ("/api/ohlcv?symbol=BTC&end={}", "end"),
    ("/api/ohlcv?symbol=BTC&limit={}", "limit"),
    ("/api/ohlcv?symbol={}", "symbol"),
    ("/api/prices/history?symbol={}", "symbol"),
    ("/api/prices/history?symbol=BTC&days={}", "days"),
    ("/api/prices/history?symbol=BTC&resolution={}", "resolution"),
    ("/api/defi/protocols?limit={}", "limit"),
    ("/api/defi/protocols?chain={}", "chain"),
    ("/api/defi/protocols?category={}", "category"),
    ("/api/defi/protocols/aave/tvl?days={}", "days"),
    ("/api/sentiment/fear-greed?days={}", "days"),
]


@pytest.mark.parametrize("template,parameter", CASES)
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_get_a_400_naming_the_parameter(client, template, parameter, value, listing):
    response = client.get(template.split("?")[0], _query(template, value))
    if response.status_code == 404 and parameter in ("symbol", "symbols", "ids"):
        return  # "-1" or "1e309" is a well-formed symbol or id nobody uses
    if response.status_code in (200, 503) and parameter in ("chain", "category"):
        return  # "1e309" is a well-formed chain name that matches nothing
    assert response.status_code == 400, (template, value, response.content[:200])
    body = response.json()
    assert body["error"]["code"] == "invalid_parameter"
    assert body["error"]["details"]["parameter"] == parameter


def _query(template: str, value: str) -> dict:
    query = {}
    for part in template.split("?", 1)[1].split("&"):
        key, _, raw = part.partition("=")
        query[key] = value if raw == "{}" else raw
    return query


@pytest.mark.parametrize(
    "path,parameter",
    [
        ("/api/prices?symbols=" + ",".join(f"S{i}" for i in range(51)), "symbols"),
        ("/api/market?limit=0", "limit"),
        ("/api/market?limit=1001", "limit"),
        ("/api/market?vs=eur", "vs"),
        ("/api/ohlcv", "symbol"),
        ("/api/ohlcv?symbol=BTC&interval=2h", "interval"),
        ("/api/ohlcv?symbol=BTC&limit=1001", "limit"),
        ("/api/ohlcv?symbol=BTC&start=2025-02-01&end=2025-01-01", "start"),
        ("/api/ohlcv?symbol=BTC&start=2025-13-01", "start"),
        ("/api/prices/history?symbol=BTC&days=0", "days"),
        ("/api/prices/history?symbol=BTC&days=366", "days"),
        ("/api/prices/history?symbol=BTC&days=30&resolution=raw", "resolution"),
        ("/api/prices/history?symbol=BTC&format=xml", "format"),
        ("/api/market?format=csv", "format"),
        ("/api/sentiment/fear-greed?days=400", "days"),
    ],
)
def test_out_of_range_values_get_a_400_naming_the_parameter(client, path, parameter, listing):
    response = client.get(path)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["details"]["parameter"] == parameter


@pytest.mark.parametrize(
    "path", ["/api/ohlcv?symbol=BTC&start=1735689600&end=2025-01-02T00:00:00Z", "/api/market?vs=USD&limit=5"]
)
def test_well_formed_values_are_accepted(client, path, listing):
    assert client.get(path).status_code in (200, 503)


def test_a_very_long_slug_is_rejected_not_crashed(client, db):
    response = client.get("/api/defi/protocols/" + "a" * 5000 + "/tvl")
    assert response.status_code == 400


@pytest.mark.parametrize("slug", ["a%00b", "%E2%98%83", "x'--"])
def test_a_malformed_slug_is_a_400_not_a_database_error(client, db, slug):
    response = client.get(f"/api/defi/protocols/{slug}/tvl")
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == "slug"


def test_prices_without_symbols_or_ids_answer_the_largest_tracked_coins(client, listing):
    response = client.get("/api/prices")
    assert response.status_code == 200
    assert {row["coin_id"] for row in response.json()["data"]} == {"bitcoin", "ethereum"}


def test_prices_with_symbols_and_ids_answer_the_coins_of_both_once(client, listing):
    response = client.get("/api/prices?symbols=BTC&ids=ethereum,bitcoin")
    assert response.status_code == 200
    assert sorted(row["coin_id"] for row in response.json()["data"]) == ["bitcoin", "ethereum"]

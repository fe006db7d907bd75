"""Round trip: what a local server speaking CoinGecko's format sent, collected by the real
collection steps, comes back through every /api/v3/ endpoint equal in every field cryptodt
stores, in usd and converted into a second currency (eur) at the collected rate."""

import json
import time
from datetime import datetime
from decimal import Decimal

import pytest

from markets.services import collect, registry
from providers import router
from tests.coingecko_compat.conftest import digits15
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
SHIB_CONTRACT = "0x95ad61b0a150d79219dcf64e1e6cc01f0b64c4ce"
# Converted values keep a double's digits; SQLite keeps 15 of the stored ones.
CLOSE = {"rel": 1e-12}
# Fields a converted currency cannot know (they happened at other rates): null.
NOT_CONVERTED = (
    "high_24h",
    "low_24h",
    "price_change_24h",
    "price_change_percentage_24h",
    "market_cap_change_24h",
    "market_cap_change_percentage_24h",
    "ath",
    "ath_change_percentage",
    "ath_date",
    "atl",
    "atl_change_percentage",
    "atl_date",
)


@pytest.fixture
def sent(upstream, own_fixture, recorded_fixture):
    """Serves CoinGecko's bodies, runs the collection steps, returns what was sent."""
    listing = json.loads(recorded_fixture("coingecko/coins_markets_bitcoin_usd.json"))
    listing += [row for row in json.loads(own_fixture("coingecko/coins_markets.json")) if row["id"] == "shiba-inu"]
    coin_list = [
        {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "platforms": {}},
        {"id": "shiba-inu", "symbol": "shib", "name": "Shiba Inu", "platforms": {"ethereum": SHIB_CONTRACT}},
        {"id": "zzz-untracked", "symbol": "zzz", "name": "Zzz", "platforms": {"solana": None}},
    ]
    global_body = json.loads(own_fixture("coingecko/global.json"))
    global_body["data"]["updated_at"] = int(time.time())
    global_body["data"]["volume_change_percentage_24h_usd"] = -3.21  # in CoinGecko's current answers (spec)
    bodies = {
        "/coins/markets": listing,
        "/coins/list": coin_list,
        "/global": global_body,
        "/exchange_rates": json.loads(own_fixture("coingecko/exchange_rates.json")),
        "/coins/categories": json.loads(own_fixture("coingecko/coins_categories.json")),
        "/asset_platforms": json.loads(own_fixture("coingecko/asset_platforms.json")),
        "/global/decentralized_finance_defi": json.loads(own_fixture("coingecko/global_defi.json")),
        # A live answer in CoinGecko's current shape (every item with its `data`).
        "/search/trending": json.loads(recorded_fixture("coingecko/search_trending_2025.json")),
        "/coins/bitcoin": json.loads(own_fixture("coingecko/coins_bitcoin.json")),
    }
    gecko = upstream("coingecko")
    for path, body in bodies.items():
        gecko.script(path, Reply(json.dumps(body).encode()))
    # The steps the schedule runs for CoinGecko's data (collect_all's, and the daily coin list).
    registry.upsert_listings(listings=router.fetch_coin_list().data)
    steps = [
        collect.collect_markets,
        collect.collect_global,
        collect.collect_trending,
        collect.collect_exchange_rates,
        collect.collect_categories,
        collect.collect_global_defi,
        collect.collect_asset_platforms,
    ]
    assert all(step().ok for step in steps)
    rates = bodies["/exchange_rates"]["rates"]
    bodies["eur_per_usd"] = Decimal(str(rates["eur"]["value"])) / Decimal(str(rates["usd"]["value"]))
    return bodies


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["id"]: row for row in rows}


def converted(value, factor: Decimal):
    return None if value is None else pytest.approx(float(Decimal(str(value)) * factor), **CLOSE)


def test_coins_markets_in_usd_is_the_listing_as_sent(api, sent):
    body = api.get("/api/v3/coins/markets?vs_currency=usd").json()
    assert [r["id"] for r in body] == ["bitcoin", "shiba-inu"]
    assert digits15(by_id(body)) == digits15(by_id(sent["/coins/markets"]))


def test_coins_markets_in_eur_converts_what_converts_and_nulls_the_rest(api, sent):
    body = by_id(api.get("/api/v3/coins/markets?vs_currency=eur").json())
    for coin_id, row in by_id(sent["/coins/markets"]).items():
        got = body[coin_id]
        for key in ("current_price", "market_cap", "total_volume", "fully_diluted_valuation"):
            assert got[key] == converted(row[key], sent["eur_per_usd"]), key
        assert all(got[key] is None for key in NOT_CONVERTED)
        same = ("id", "symbol", "name", "image", "market_cap_rank", "circulating_supply", "total_supply", "max_supply")
        assert digits15({k: got[k] for k in same}) == digits15({k: row[k] for k in same})


def test_simple_price_in_usd_and_eur_is_the_listing_as_sent(api, sent):
    query = "ids=bitcoin,shiba-inu&vs_currencies=usd,eur&include_market_cap=true&include_24hr_vol=true"
    query += "&include_24hr_change=true&include_last_updated_at=true"
    body = api.get(f"/api/v3/simple/price?{query}").json()
    factor = sent["eur_per_usd"]
    for coin_id, row in by_id(sent["/coins/markets"]).items():
        got = body[coin_id]
        usd = {k: got[k] for k in ("usd", "usd_market_cap", "usd_24h_vol", "usd_24h_change")}
        expected = [row["current_price"], row["market_cap"], row["total_volume"], row["price_change_percentage_24h"]]
        assert digits15(list(usd.values())) == digits15(expected)
        assert got["eur"] == converted(row["current_price"], factor)
        assert got["eur_market_cap"] == converted(row["market_cap"], factor)
        assert got["eur_24h_vol"] == converted(row["total_volume"], factor) and got["eur_24h_change"] is None
        sent_time = datetime.fromisoformat(row["last_updated"].replace("Z", "+00:00"))
        assert got["last_updated_at"] == int(sent_time.timestamp())


def test_token_price_is_simple_price_of_the_contracts_coin(api, sent):
    path = f"/api/v3/simple/token_price/ethereum?contract_addresses={SHIB_CONTRACT}&vs_currencies=usd,eur"
    by_contract = api.get(path).json()[SHIB_CONTRACT]
    assert by_contract == api.get("/api/v3/simple/price?ids=shiba-inu&vs_currencies=usd,eur").json()["shiba-inu"]


def test_directories_and_rates_come_back_as_sent(api, sent):
    sent_ids = {c["id"] for c in sent["/coins/list"]}  # trending added its coins too
    listed = [c for c in api.get("/api/v3/coins/list?include_platform=true").json() if c["id"] in sent_ids]
    assert listed == sorted(sent["/coins/list"], key=lambda c: c["id"])
    assert api.get("/api/v3/exchange_rates").json() == sent["/exchange_rates"]
    assert digits15(api.get("/api/v3/coins/categories").json()) == digits15(sent["/coins/categories"])
    assert api.get("/api/v3/asset_platforms").json() == sorted(sent["/asset_platforms"], key=lambda p: p["id"])
    defi = api.get("/api/v3/global/decentralized_finance_defi").json()
    assert digits15(defi) == digits15(sent["/global/decentralized_finance_defi"])


def test_global_comes_back_as_sent_in_every_stored_field(api, sent):
    data, sent_data = api.get("/api/v3/global").json()["data"], sent["/global"]["data"]
    for key in ("active_cryptocurrencies", "upcoming_icos", "ongoing_icos", "ended_icos", "markets", "updated_at"):
        assert data[key] == sent_data[key], key
    for key in ("market_cap_change_percentage_24h_usd", "volume_change_percentage_24h_usd"):
        assert data[key] == sent_data[key], key
    assert digits15(data["total_market_cap"]["usd"]) == digits15(sent_data["total_market_cap"]["usd"])
    assert digits15(data["total_volume"]["usd"]) == digits15(sent_data["total_volume"]["usd"])
    assert data["market_cap_percentage"] == {k: sent_data["market_cap_percentage"][k] for k in ("btc", "eth")}


def test_coin_detail_is_coingeckos_description_with_the_stored_market_data(api, sent):
    body = api.get("/api/v3/coins/bitcoin").json()
    profile = sent["/coins/bitcoin"]
    for key in ("web_slug", "platforms", "categories", "links", "image", "description", "hashing_algorithm"):
        assert body[key] == profile[key], key
    row = by_id(sent["/coins/markets"])["bitcoin"]
    data = body["market_data"]
    assert data["current_price"]["usd"] == row["current_price"] and data["ath"]["usd"] == row["ath"]
    assert data["ath_date"]["usd"] == row["ath_date"] and data["circulating_supply"] == row["circulating_supply"]


def test_every_collected_currency_is_listed_as_supported(api, sent):
    assert {"usd", "eur", "btc", "eth"} <= set(api.get("/api/v3/simple/supported_vs_currencies").json())


def test_trending_comes_back_in_coingeckos_order_with_its_item_fields(api, sent):
    body = api.get("/api/v3/search/trending").json()
    sent_items = [c["item"] for c in sent["/search/trending"]["coins"]]
    items = [c["item"] for c in body["coins"]]
    assert [i["id"] for i in items] == [i["id"] for i in sent_items]
    for got, item in zip(items, sent_items, strict=True):
        for key in ("name", "symbol", "market_cap_rank", "thumb", "small", "large", "slug", "score"):
            if key in item:
                assert got[key] == item[key], key


def hourly_chart(hours: int) -> dict:
    """CoinGecko's market_chart body for 2-90 days: one point an hour, newest last."""
    now_ms = int(time.time()) // 3600 * 3_600_000
    times = [now_ms - h * 3_600_000 for h in range(hours, 0, -1)]
    return {
        "prices": [[t, round(0.5 + i / 1000, 3)] for i, t in enumerate(times)],
        "market_caps": [[t, 5_000_000 + i] for i, t in enumerate(times)],
        "total_volumes": [[t, 70_000 + i] for i, t in enumerate(times)],
    }


def test_history_fetched_for_an_untracked_coin_comes_back_through_the_chart_endpoints(api, sent, upstream):
    chart = hourly_chart(72)
    gecko = upstream("coingecko")
    gecko.script("/coins/zzz-untracked/market_chart", Reply(json.dumps(chart).encode()))
    body = api.get("/api/v3/coins/zzz-untracked/market_chart?vs_currency=usd&days=2").json()
    assert gecko.hits_on("/coins/zzz-untracked/market_chart") == 1
    window = {key: points[-len(body["prices"]) :] for key, points in chart.items()}
    assert len(body["prices"]) >= 47 and body == window
    start, end = window["prices"][0][0] // 1000, window["prices"][-1][0] // 1000
    ranged = api.get(f"/api/v3/coins/zzz-untracked/market_chart/range?vs_currency=usd&from={start}&to={end}").json()
    assert ranged == window
    midnight = next(t for t, _ in chart["prices"][24:] if t % 86_400_000 == 0)
    day = datetime.fromtimestamp(midnight / 1000).strftime("%d-%m-%Y")
    history = api.get(f"/api/v3/coins/zzz-untracked/history?date={day}").json()["market_data"]
    price, cap, volume = (dict(series)[midnight] for series in chart.values())
    assert history == {"current_price": {"usd": price}, "market_cap": {"usd": cap}, "total_volume": {"usd": volume}}
    assert gecko.hits_on("/coins/zzz-untracked/market_chart") == 1  # the rest came from storage


def test_history_in_a_second_currency_is_coingeckos_own_in_that_currency_not_a_conversion(api, sent, upstream):
    # Past prices happened at past rates, so eur history is CoinGecko's eur series, asked once.
    chart = hourly_chart(72)
    gecko = upstream("coingecko")
    gecko.script("/coins/zzz-untracked/market_chart", Reply(json.dumps(chart).encode()))
    body = api.get("/api/v3/coins/zzz-untracked/market_chart?vs_currency=eur&days=2").json()
    assert len(body["prices"]) >= 47 and body == {key: points[-len(body["prices"]) :] for key, points in chart.items()}
    assert api.get("/api/v3/coins/zzz-untracked/market_chart?vs_currency=eur&days=2").json() == body
    asked = [query for path, query in gecko.hits if path.endswith("/coins/zzz-untracked/market_chart")]
    assert len(asked) == 1 and asked[0]["vs_currency"] == ["eur"]

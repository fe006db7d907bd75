"""A coin the registry knows but does not track, or does not know yet: fetched once on the
first request within CoinGecko's budget, then answered from storage."""

import json
import time

import pytest

from markets.models import Coin, CoinProfile, LatestQuote
from markets.services import registry
from providers.coingecko_coins import parse_coin_list
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def price_body(*coin_ids: str) -> bytes:
    now = int(time.time())
    entry = {"usd": 2.3456, "usd_market_cap": 2340000000, "usd_24h_vol": 456000000, "usd_24h_change": 5.5}
    return json.dumps({c: {**entry, "last_updated_at": now} for c in coin_ids}).encode()


@pytest.fixture
def untracked(listing):
    sent = [
        {"id": "dogwifcoin", "symbol": "wif", "name": "dogwifhat", "platforms": {}},
        {"id": "bonk", "symbol": "bonk", "name": "Bonk", "platforms": {}},
    ]
    registry.upsert_listings(listings=parse_coin_list(sent))


def test_simple_price_of_untracked_coins_makes_one_batched_fetch_then_serves_storage(api, upstream, untracked):
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(price_body("dogwifcoin", "bonk")))
    path = "/api/v3/simple/price?ids=dogwifcoin,bonk&vs_currencies=usd"
    body = api.get(path).json()
    assert body == {"dogwifcoin": {"usd": 2.3456}, "bonk": {"usd": 2.3456}}
    assert gecko.hits_on("/simple/price") == 1
    assert LatestQuote.objects.filter(coin__coin_id__in=["dogwifcoin", "bonk"], vs="usd").count() == 2
    assert api.get(path + "&include_24hr_change=true").json()["bonk"]["usd_24h_change"] == 5.5
    assert gecko.hits_on("/simple/price") == 1  # the second answer came from storage


def test_coins_markets_by_id_fetches_an_untracked_coin_once(api, upstream, untracked):
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(price_body("bonk")))
    rows = api.get("/api/v3/coins/markets?vs_currency=usd&ids=bonk").json()
    assert [r["id"] for r in rows] == ["bonk"] and rows[0]["current_price"] == 2.3456
    assert not Coin.objects.get(coin_id="bonk").tracked  # served, not added to the schedule


def test_coin_detail_of_a_coin_the_registry_does_not_know_yet_is_fetched_and_added(api, upstream, own_fixture, db):
    gecko = upstream("coingecko")
    profile = json.loads(own_fixture("coingecko/coins_bitcoin.json"))
    profile.update(id="brand-new-coin", symbol="bnc", name="Brand New Coin")
    gecko.script("/coins/brand-new-coin", Reply(json.dumps(profile).encode()))
    gecko.script("/simple/price", Reply(price_body("brand-new-coin")))
    body = api.get("/api/v3/coins/brand-new-coin").json()
    assert body["id"] == "brand-new-coin" and body["name"] == "Brand New Coin"
    assert body["market_data"]["current_price"] == {"usd": 2.3456}
    coin = Coin.objects.get(coin_id="brand-new-coin")
    assert coin.symbol == "BNC" and not coin.tracked and CoinProfile.objects.filter(coin=coin).exists()
    assert api.get("/api/v3/coins/list").status_code == 200
    assert {"id": "brand-new-coin", "symbol": "bnc", "name": "Brand New Coin"} in api.get("/api/v3/coins/list").json()


def test_an_id_coingecko_does_not_know_either_stays_a_404_and_is_not_asked_again(api, upstream, db):
    gecko = upstream("coingecko")
    gecko.script("/coins/nothing-here", Reply(b'{"error": "coin not found"}', status=404))
    assert api.get("/api/v3/coins/nothing-here").status_code == 404
    assert api.get("/api/v3/coins/nothing-here").status_code == 404
    assert gecko.hits_on("/coins/nothing-here") == 1
    assert not Coin.objects.filter(coin_id="nothing-here").exists()


def test_token_price_of_an_untracked_coin_is_fetched_once(api, upstream, listing):
    address = "0x6982508145454ce325ddbe47a25d4ec3d2311933"
    sent = [{"id": "pepe", "symbol": "pepe", "name": "Pepe", "platforms": {"ethereum": address}}]
    registry.upsert_listings(listings=parse_coin_list(sent))
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(price_body("pepe")))
    path = f"/api/v3/simple/token_price/ethereum?contract_addresses={address}&vs_currencies=usd"
    assert api.get(path).json() == {address: {"usd": 2.3456}}
    assert gecko.hits_on("/simple/price") == 1

"""/api/v3/asset_platforms (collected daily) and /simple/token_price/{id} (contract addresses
from CoinGecko's coin list, prices from storage)."""

import json

import pytest

from markets.models import AssetPlatform
from markets.services import collect, registry
from providers.coingecko_coins import parse_coin_list
from tests.data.conftest import market_row
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
PLATFORMS = "coingecko/asset_platforms.json"  # CoinGecko's spec example
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
USDC_SOL = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


@pytest.fixture
def contracts(listing):
    listing(market_row("usd-coin", "usdc", price="0.9998", cap="60000000000", rank=6))
    sent = [
        {"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "platforms": {}},
        {"id": "usd-coin", "symbol": "usdc", "name": "USDC", "platforms": {"ethereum": USDC, "solana": USDC_SOL}},
    ]
    registry.upsert_listings(listings=parse_coin_list(sent))


def test_the_scheduled_step_stores_coingeckos_platforms_and_answers_them_as_sent(api, upstream, own_fixture, db):
    upstream("coingecko").script("/asset_platforms", Reply(own_fixture(PLATFORMS)))
    assert collect.collect_asset_platforms().ok
    sent = json.loads(own_fixture(PLATFORMS))
    assert AssetPlatform.objects.count() == len(sent)
    assert api.get("/api/v3/asset_platforms").json() == sorted(sent, key=lambda p: p["id"])


def test_asset_platforms_before_any_collection_is_a_503(api, db):
    assert api.get("/api/v3/asset_platforms").status_code == 503


def test_the_nft_filter_is_refused_not_answered_with_every_platform(api, db):
    assert api.get("/api/v3/asset_platforms?filter=nft").status_code == 400


def test_a_platform_list_with_a_bad_entry_is_rejected_whole(upstream, db):
    upstream("coingecko").script("/asset_platforms", Reply(b'[{"id": "x", "name": "X", "chain_identifier": "one"}]'))
    assert not collect.collect_asset_platforms().ok
    assert not AssetPlatform.objects.exists()


def test_a_platform_coingecko_dropped_is_dropped_here(upstream, own_fixture, db):
    gecko = upstream("coingecko")
    gecko.script("/asset_platforms", Reply(own_fixture(PLATFORMS)))
    assert collect.collect_asset_platforms().ok
    kept = json.loads(own_fixture(PLATFORMS))[0]
    gecko.script("/asset_platforms", Reply(json.dumps([kept]).encode()))
    assert collect.collect_asset_platforms().ok
    assert list(AssetPlatform.objects.values_list("platform_id", "name")) == [(kept["id"], kept["name"])]


def test_token_price_answers_the_coin_of_that_contract_keyed_by_the_lower_case_address(api, contracts):
    checksummed = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    path = f"/api/v3/simple/token_price/ethereum?contract_addresses={checksummed}&vs_currencies=usd"
    body = api.get(path + "&include_market_cap=true&include_24hr_change=true&include_last_updated_at=true").json()
    assert list(body) == [USDC]
    assert body[USDC]["usd"] == 0.9998 and body[USDC]["usd_market_cap"] == 60000000000
    assert body[USDC]["usd_24h_change"] == -1.5 and isinstance(body[USDC]["last_updated_at"], int)


def test_token_price_matches_a_non_hex_address_exactly(api, contracts):
    body = api.get(f"/api/v3/simple/token_price/solana?contract_addresses={USDC_SOL}&vs_currencies=usd").json()
    assert body == {USDC_SOL: {"usd": 0.9998}}
    assert (
        api.get(f"/api/v3/simple/token_price/solana?contract_addresses={USDC_SOL.lower()}&vs_currencies=usd").json()
        == {}
    )


def test_token_price_leaves_unknown_contracts_and_platforms_out(api, contracts):
    assert api.get("/api/v3/simple/token_price/ethereum?contract_addresses=0xdead&vs_currencies=usd").json() == {}
    assert api.get(f"/api/v3/simple/token_price/tron?contract_addresses={USDC}&vs_currencies=usd").json() == {}


def test_token_price_needs_addresses_and_currencies(api, contracts):
    assert api.get("/api/v3/simple/token_price/ethereum?vs_currencies=usd").status_code == 422
    assert api.get(f"/api/v3/simple/token_price/ethereum?contract_addresses={USDC}").status_code == 422

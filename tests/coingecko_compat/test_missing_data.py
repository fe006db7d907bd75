"""What storage lacks never breaks CoinGecko's strict schema (the conformance fixture checks
every answer): derived from other stored values, CoinGecko's placeholders, or left out; never
a made-up number."""

import json
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from markets.models import GlobalSnapshot
from markets.services import collect, ingest_overview
from providers import coinpaprika
from tests.coingecko_compat.conftest import store_global
from tests.coingecko_compat.test_untracked_coins import price_body
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db

OLD_SHAPE_IDS = ["matic-network", "shiba-inu", "safemoon", "solana", "pancakeswap-token", "ripple", "sushi"]


@pytest.fixture
def old_shape_trending(upstream, recorded_fixture):
    """CoinGecko's trending list as it answered in 2021: items without ``data``."""
    upstream("coingecko").script("/search/trending", Reply(recorded_fixture("coingecko/search_trending.json")))
    assert collect.collect_trending().ok


def test_an_old_shape_trending_list_fills_data_from_prices_fetched_once(api, listing, upstream, old_shape_trending):
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(price_body(*OLD_SHAPE_IDS)))
    body = api.get("/api/v3/search/trending").json()
    assert gecko.hits_on("/simple/price") == 1
    item = body["coins"][0]["item"]
    assert item["id"] == "matic-network" and item["coin_id"] == 4713 and item["slug"] == "polygon"
    assert item["price_btc"] == pytest.approx(4.774496780022442e-05, rel=1e-12)  # stored to 18 places
    data = item["data"]
    assert data["price"] == 2.3456 and data["price_change_percentage_24h"] == {"usd": 5.5}
    assert Decimal(data["price_btc"]) == Decimal(str(item["price_btc"]))  # CoinGecko's text form
    assert data["market_cap"] == "$2,340,000,000" and data["total_volume"] == "$456,000,000"
    # in BTC at the stored bitcoin price (65000.12)
    assert data["market_cap_btc"] == str((Decimal(2340000000) / Decimal("65000.12")).quantize(Decimal("1e-8")))
    assert data["sparkline"] == "" and data["content"] is None
    assert len(body["coins"]) == 7


def test_a_trending_coin_without_any_price_is_left_out(api, listing, upstream, old_shape_trending):
    priced = [c for c in OLD_SHAPE_IDS if c != "safemoon"]
    upstream("coingecko").script("/simple/price", Reply(price_body(*priced)))
    body = api.get("/api/v3/search/trending").json()
    assert [c["item"]["id"] for c in body["coins"]] == priced


def _paprika_global(own_fixture, *, at: datetime | None = None) -> None:
    stats = coinpaprika.parse_global(json.loads(own_fixture("coinpaprika/global.json")))
    ingest_overview.ingest_global(stats=replace(stats, as_of=at or stats.as_of), source="coinpaprika")


def test_global_from_a_provider_without_coingeckos_counts_is_not_served_as_coingeckos(api, listing, own_fixture):
    _paprika_global(own_fixture)
    response = api.get("/api/v3/global")
    assert response.status_code == 503 and set(response.json()) == {"error"}
    assert api.get("/api/market").json()["global"]["source"] == "coinpaprika"  # the project's own answer has it


def test_global_answers_the_newest_complete_snapshot_at_its_own_time(api, db, own_fixture):
    store_global()
    complete = GlobalSnapshot.objects.get().t
    _paprika_global(own_fixture, at=complete + timedelta(minutes=5))
    data = api.get("/api/v3/global").json()["data"]
    assert data["markets"] == 1297 and data["volume_change_percentage_24h_usd"] == 3.5
    assert data["updated_at"] == int(complete.timestamp())

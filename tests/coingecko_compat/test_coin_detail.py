"""/api/v3/coins/{id}: CoinGecko's description fetched once on demand, market data from storage."""

import json

import pytest

from markets.services import ingest
from providers.coingecko import parse_markets
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
PROFILE = "coingecko/coins_bitcoin.json"  # CoinGecko's spec example, market data removed


@pytest.fixture
def gecko(upstream, own_fixture):
    fake = upstream("coingecko")
    fake.script("/coins/bitcoin", Reply(own_fixture(PROFILE)))
    return fake


def test_the_first_request_fetches_the_description_once_then_serves_it_from_storage(api, listing, gecko):
    first = api.get("/api/v3/coins/bitcoin")
    second = api.get("/api/v3/coins/bitcoin/?market_data=false")
    assert first.status_code == 200 and second.status_code == 200
    assert gecko.hits_on("/coins/bitcoin") == 1
    params = gecko.hits[0][1]
    assert params["market_data"] == ["false"] and params["tickers"] == ["false"]


def test_it_answers_coingeckos_description_fields_as_coingecko_sent_them(api, listing, gecko, own_fixture):
    sent = json.loads(own_fixture(PROFILE))
    body = api.get("/api/v3/coins/bitcoin").json()
    for key in ("web_slug", "platforms", "block_time_in_minutes", "hashing_algorithm", "categories", "links", "image"):
        assert body[key] == sent[key]
    assert body["id"] == "bitcoin" and body["market_cap_rank"] == 1


def test_market_data_comes_from_stored_listings_in_every_stored_currency(api, db, gecko, recorded_fixture):
    row = json.loads(recorded_fixture("coingecko/coins_markets_bitcoin_usd.json"))
    ingest.ingest_market_rows(rows=parse_markets(row, vs="usd"), source="coingecko", track=True)
    data = api.get("/api/v3/coins/bitcoin").json()["market_data"]
    assert data["current_price"] == {"usd": 49053}
    assert data["ath"] == {"usd": 64805} and data["ath_date"] == {"usd": "2021-04-14T11:54:46.763Z"}
    assert data["high_24h"] == {"usd": 51300} and data["circulating_supply"] == 18710831
    assert data["price_change_24h"] == -2246.57482218 and data["max_supply"] == 21000000


def test_an_unreachable_coingecko_is_a_503_not_a_made_up_description(api, listing):
    response = api.get("/api/v3/coins/bitcoin")
    assert response.status_code == 503


def test_an_unknown_coin_is_coingeckos_404(api, db):
    response = api.get("/api/v3/coins/nope")
    assert response.status_code == 404 and response.json() == {"error": "coin not found"}

"""/api/v3/coins/markets?category=: a category's coins, fetched from CoinGecko's
coins/markets?category= on the category's first request, then served from storage."""

import pytest

from markets.models import CategoryMembers, LatestQuote
from markets.services import collect
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
MARKETS = "coingecko/coins_markets.json"  # bitcoin, shiba-inu, new-listing


@pytest.fixture
def categories(upstream, own_fixture, listing):
    upstream("coingecko").script("/coins/categories", Reply(own_fixture("coingecko/coins_categories.json")))
    assert collect.collect_categories().ok


def test_a_category_is_fetched_once_then_served_from_storage(api, upstream, own_fixture, categories):
    gecko = upstream("coingecko")
    gecko.script("/coins/markets", Reply(own_fixture(MARKETS)))
    body = api.get("/api/v3/coins/markets?vs_currency=usd&category=layer-1").json()
    assert [row["id"] for row in body] == ["bitcoin", "shiba-inu", "new-listing"]
    asked = [query for path, query in gecko.hits if path == "/coins/markets"]
    assert len(asked) == 1 and asked[0]["category"] == ["layer-1"]
    # the rows came with the members: an untracked member has its price from that call
    assert LatestQuote.objects.filter(coin__coin_id="shiba-inu", vs="usd").exists()
    paged = api.get("/api/v3/coins/markets?vs_currency=usd&category=layer-1&per_page=1&page=2").json()
    assert [row["id"] for row in paged] == ["shiba-inu"]
    by_volume = api.get("/api/v3/coins/markets?vs_currency=usd&category=layer-1&order=volume_asc").json()
    assert len(by_volume) == 3 and [row["total_volume"] for row in by_volume] == sorted(
        row["total_volume"] for row in by_volume
    )
    assert gecko.hits_on("/coins/markets") == 1
    assert CategoryMembers.objects.get().coin_ids == ["bitcoin", "shiba-inu", "new-listing"]


def test_ids_and_category_together_answer_the_members_among_the_ids(api, upstream, own_fixture, categories):
    upstream("coingecko").script("/coins/markets", Reply(own_fixture(MARKETS)))
    body = api.get("/api/v3/coins/markets?vs_currency=usd&category=layer-1&ids=ethereum,bitcoin").json()
    assert [row["id"] for row in body] == ["bitcoin"]


def test_an_unknown_category_is_a_400(api, categories):
    response = api.get("/api/v3/coins/markets?vs_currency=usd&category=no-such-category")
    assert response.status_code == 400 and response.json() == {"error": "invalid category"}


def test_a_category_coingecko_could_not_be_asked_about_is_a_503_not_an_empty_list(api, upstream, categories):
    upstream("coingecko").script("/coins/markets", Reply(b"", status=503))
    response = api.get("/api/v3/coins/markets?vs_currency=usd&category=layer-1")
    assert response.status_code == 503 and set(response.json()) == {"error"}

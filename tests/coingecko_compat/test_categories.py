"""/api/v3/coins/categories and /coins/categories/list from the categories collected on the schedule."""

import json

import pytest

from markets.models import CoinCategory
from markets.services import collect
from tests.coingecko_compat.conftest import digits15
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
CATEGORIES = "coingecko/coins_categories.json"  # CoinGecko's spec example


@pytest.fixture
def collected(upstream, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/coins/categories", Reply(own_fixture(CATEGORIES)))
    assert collect.collect_categories().ok
    return json.loads(own_fixture(CATEGORIES))


def test_the_scheduled_step_stores_every_category_coingecko_sent(collected):
    assert sorted(CoinCategory.objects.values_list("category_id", flat=True)) == sorted(c["id"] for c in collected)


def test_categories_come_back_as_coingecko_sent_them(api, collected):
    assert digits15(api.get("/api/v3/coins/categories").json()) == digits15(collected)


def test_categories_list_answers_ids_and_names_by_name(api, collected):
    body = api.get("/api/v3/coins/categories/list").json()
    assert body == sorted(({"category_id": c["id"], "name": c["name"]} for c in collected), key=lambda c: c["name"])


@pytest.mark.parametrize(
    "order,first",
    [("market_cap_asc", "layer-1"), ("name_desc", "smart-contract-platform"), ("market_cap_change_24h_asc", "layer-1")],
)
def test_categories_follow_coingeckos_order_parameter(api, collected, order, first):
    assert api.get(f"/api/v3/coins/categories?order={order}").json()[0]["id"] == first


def test_an_unknown_order_is_a_400(api, collected):
    assert api.get("/api/v3/coins/categories?order=random").status_code == 400


def test_before_any_collection_both_are_a_503(api, db):
    assert api.get("/api/v3/coins/categories").status_code == 503
    assert api.get("/api/v3/coins/categories/list/").status_code == 503


def test_a_category_list_with_a_broken_entry_is_rejected_whole(upstream, db):
    body = b'[{"id": "ok", "name": "Ok"}, {"id": "bad", "name": "Bad", "market_cap": "lots"}]'
    upstream("coingecko").script("/coins/categories", Reply(body))
    assert not collect.collect_categories().ok
    assert not CoinCategory.objects.exists()


def test_a_category_coingecko_dropped_is_dropped_here(upstream, db, collected):
    upstream("coingecko").script("/coins/categories", Reply(b'[{"id": "layer-1", "name": "Layer 1 (L1)"}]'))
    assert collect.collect_categories().ok
    assert list(CoinCategory.objects.values_list("category_id", flat=True)) == ["layer-1"]


def test_search_finds_stored_categories_by_name_or_id_best_match_first(api, collected):
    body = api.get("/api/v3/search?query=layer").json()
    assert body["categories"] == [{"id": "layer-1", "name": "Layer 1 (L1)"}]
    both = api.get("/api/v3/search?query=l").json()["categories"]
    assert [c["id"] for c in both] == ["layer-1", "smart-contract-platform"]  # "Layer…" starts with it
    assert api.get("/api/v3/search?query=smart-contract-platform").json()["categories"][0]["name"] == (
        "Smart Contract Platform"
    )
    assert api.get("/api/v3/search?query=zzz").json()["categories"] == []

"""/api/v3/exchanges, /exchanges/list and /search's exchanges from CoinGecko's exchange
directory, collected daily (every page of its /exchanges)."""

import json

import pytest

from markets.models import Exchange
from markets.services import collect
from providers import coingecko_exchanges, stats
from tests.coingecko_compat.conftest import digits15
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
EXCHANGES = "coingecko/exchanges.json"  # CoinGecko's spec example, plus an unrated exchange


@pytest.fixture(autouse=True)
def _pages_without_the_pause(monkeypatch):
    monkeypatch.setattr(coingecko_exchanges, "PAGE_PAUSE_S", 0)


@pytest.fixture
def collected(upstream, own_fixture):
    upstream("coingecko").script("/exchanges", Reply(own_fixture(EXCHANGES)))
    assert collect.collect_exchanges().ok
    return json.loads(own_fixture(EXCHANGES))


def test_the_scheduled_step_stores_every_exchange_coingecko_listed(collected):
    assert sorted(Exchange.objects.values_list("exchange_id", flat=True)) == sorted(e["id"] for e in collected)


def test_exchanges_come_back_as_coingecko_sent_them_by_trust_score_rank(api, collected):
    body = api.get("/api/v3/exchanges").json()
    assert [e["id"] for e in body] == ["gdax", "binance", "small-exchange"]  # unranked last
    assert digits15(body) == digits15(collected)


def test_exchanges_are_paged_by_per_page_and_page(api, collected):
    assert [e["id"] for e in api.get("/api/v3/exchanges?per_page=1&page=2").json()] == ["binance"]
    assert api.get("/api/v3/exchanges?per_page=2&page=3").json() == []  # past the last page, as CoinGecko


def test_the_list_answers_ids_and_names(api, collected):
    body = api.get("/api/v3/exchanges/list").json()
    assert body == sorted(({"id": e["id"], "name": e["name"]} for e in collected), key=lambda e: e["id"])


def test_inactive_exchanges_are_not_collected_so_the_inactive_list_is_empty(api, collected):
    assert api.get("/api/v3/exchanges/list?status=inactive").json() == []


def test_before_any_collection_the_exchange_reads_are_a_503(api, db):
    assert api.get("/api/v3/exchanges").status_code == 503
    assert api.get("/api/v3/exchanges/list").status_code == 503


def test_bad_paging_is_a_400(api, collected):
    assert api.get("/api/v3/exchanges?page=0").status_code == 400
    assert api.get("/api/v3/exchanges?per_page=251").status_code == 400


def test_search_finds_exchanges_by_name_with_coingeckos_logo_sizes(api, collected):
    body = api.get("/api/v3/search?query=coinbase").json()
    assert body["exchanges"] == [
        {
            "id": "gdax",
            "name": "Coinbase Exchange",
            "market_type": "spot",
            "thumb": "https://coin-images.coingecko.com/markets/images/23/thumb/Coinbase_Coin_Primary.png?1706864258",
            "large": "https://coin-images.coingecko.com/markets/images/23/large/Coinbase_Coin_Primary.png?1706864258",
        }
    ]


def test_search_puts_an_exact_name_first(api, collected):
    ids = [e["id"] for e in api.get("/api/v3/search?query=binance").json()["exchanges"]]
    assert ids == ["binance"]
    ids = [e["id"] for e in api.get("/api/v3/search?query=EXCHANGE").json()["exchanges"]]
    assert ids == ["gdax", "small-exchange"]


def test_every_page_is_asked_until_a_short_one(upstream, monkeypatch, db):
    monkeypatch.setattr(coingecko_exchanges, "PAGE_SIZE", 2)
    gecko = upstream("coingecko")
    entry = {"name": "X", "has_trading_incentive": False, "trade_volume_24h_btc": 1}
    rows = [{**entry, "id": f"x{i}", "trust_score_rank": i + 1} for i in range(3)]
    gecko.script("/exchanges", Reply(json.dumps(rows[:2]).encode()), Reply(json.dumps(rows[2:]).encode()))
    assert collect.collect_exchanges().stored == 3
    assert [query["page"] for _, query in gecko.hits] == [["1"], ["2"]]
    assert all(query["per_page"] == ["2"] for _, query in gecko.hits)


@pytest.mark.parametrize(
    "row",
    [
        {"trust_score": 11},
        {"trade_volume_24h_btc": -1},
        {"has_trading_incentive": None},
        {"year_established": "long ago"},
        {"id": ""},
    ],
)
def test_a_directory_with_one_impossible_exchange_is_rejected_whole_and_counted(upstream, own_fixture, db, row):
    upstream("coingecko").script("/exchanges", Reply(own_fixture(EXCHANGES)))
    assert collect.collect_exchanges().ok
    broken = json.loads(own_fixture(EXCHANGES))
    broken[1] = {**broken[1], **row}
    upstream("coingecko").script("/exchanges", Reply(json.dumps(broken).encode()))
    before = stats.read("coingecko").get("validation_failures", 0)
    assert not collect.collect_exchanges().ok
    assert Exchange.objects.count() == 3  # the stored directory stands
    assert stats.read("coingecko")["validation_failures"] == before + 1


def test_an_exchange_coingecko_dropped_is_dropped_here(upstream, collected):
    rows = [e for e in collected if e["id"] == "binance"]
    upstream("coingecko").script("/exchanges", Reply(json.dumps(rows).encode()))
    assert collect.collect_exchanges().ok
    assert list(Exchange.objects.values_list("exchange_id", flat=True)) == ["binance"]


def test_an_empty_directory_is_rejected_not_stored(upstream, collected):
    upstream("coingecko").script("/exchanges", Reply(b"[]"))
    assert not collect.collect_exchanges().ok
    assert Exchange.objects.count() == 3


def test_the_collect_exchanges_command_stores_the_directory(upstream, own_fixture, db):
    from io import StringIO

    from django.core.management import call_command

    upstream("coingecko").script("/exchanges", Reply(own_fixture(EXCHANGES)))
    out = StringIO()
    call_command("collect_exchanges", stdout=out)
    assert "exchanges: stored 3 from coingecko" in out.getvalue()

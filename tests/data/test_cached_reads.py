"""A repeated read is answered from the cache: no database query, same bytes, same headers."""

from datetime import UTC, datetime

import pytest

from markets.services import ingest
from tests.data.conftest import quote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/prices?symbols=BTC,ETH", "/api/prices?ids=bitcoin", "/api/market?limit=2"])
def test_a_repeated_anonymous_read_runs_no_query(api, listing, django_assert_num_queries, url):
    first = api.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = api.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert int(again["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1


def test_a_cached_answer_still_counts_against_the_limit(api, listing, settings):
    settings.RATE_ANON = "2/m"
    assert api.get("/api/prices?symbols=BTC").status_code == 200
    assert api.get("/api/prices?symbols=BTC").status_code == 200
    refused = api.get("/api/prices?symbols=BTC")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"]


def test_parameters_in_another_order_or_unknown_ones_get_the_same_answer(api, listing):
    plain = api.get("/api/prices?symbols=BTC&vs=usd").json()
    assert api.get("/api/prices?vs=usd&symbols=BTC").json() == plain
    assert api.get("/api/prices?symbols=BTC&vs=usd&utm_source=x").json() == plain


def test_new_prices_replace_the_cached_answer(api, listing):
    api.get("/api/prices?symbols=BTC")
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "71000.5", datetime.now(UTC))], source="coingecko")
    assert b'"price":71000.5' in api.get("/api/prices?symbols=BTC").content


def test_a_bad_parameter_is_still_refused_after_a_good_one_was_cached(api, listing):
    assert api.get("/api/prices?symbols=BTC").status_code == 200
    response = api.get("/api/prices?symbols=BTC&vs=nope")
    assert response.status_code == 400
    assert response.json()["error"]["details"]


@pytest.mark.parametrize("accept", ["", "*/*", "application/json", "application/json; indent=2", "text/*, */*;q=0.1"])
def test_any_accept_header_that_allows_json_gets_json(api, listing, accept):
    response = api.get("/api/prices?symbols=BTC", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_an_accept_header_that_excludes_json_is_a_406_envelope(api, listing):
    response = api.get("/api/prices?symbols=BTC", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert response.json()["error"]["code"]


def test_api_reads_set_no_session_or_message_cookies(api, listing):
    response = api.get("/api/prices?symbols=BTC")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")

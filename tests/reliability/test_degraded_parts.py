"""In-process halves of issue 12: the in-process cache capped in bytes, one cache entry
per question whatever the parameter order, and a database that refuses turned into a
503 with Retry-After instead of a 500."""

import pytest
from django.core.cache import caches
from django.db import OperationalError

from cryptodt.cache import BoundedLocMemCache
from markets import selectors
from tests.data.conftest import market_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_providers(settings):
    settings.COINGECKO_BASE_URL = settings.BINANCE_BASE_URL = "http://127.0.0.1:9"


@pytest.fixture
def listing():
    from markets.services import ingest

    rows = [
        market_row("bitcoin", "btc", rank=1),
        market_row("ethereum", "eth", rank=2),
        market_row("solana", "sol", rank=3),
    ]
    ingest.ingest_market_rows(rows=rows, source="coingecko", track=True)


def test_the_in_process_cache_holds_at_most_its_byte_budget_and_drops_the_oldest():
    cache = BoundedLocMemCache("bounded-test", {"OPTIONS": {"MAX_ENTRIES": 100_000, "MAX_BYTES": 1_000_000}})
    cache.clear()
    for n in range(500):
        cache.set(f"k{n}", b"x" * 10_000)
    assert cache.size_bytes <= 1_000_000
    assert cache.get("k499") is not None and cache.get("k0") is None
    cache.delete("k499")
    assert cache.size_bytes <= 1_000_000 - 10_000
    cache.clear()
    assert cache.size_bytes == 0


def test_a_value_larger_than_the_whole_cache_is_not_kept():
    cache = BoundedLocMemCache("bounded-test-2", {"OPTIONS": {"MAX_BYTES": 10_000}})
    cache.set("big", b"x" * 20_000)
    assert cache.get("big") is None and cache.size_bytes == 0


def test_many_small_entries_are_counted_with_their_bookkeeping():
    from cryptodt.cache import ENTRY_OVERHEAD

    cache = BoundedLocMemCache("bounded-test-3", {"OPTIONS": {"MAX_ENTRIES": 100_000, "MAX_BYTES": 100_000}})
    cache.clear()
    for n in range(1000):
        cache.set(f"k{n}", b"x")
    # 1,000 one-byte values would fit 100 kB by their lengths alone; with what each entry
    # costs the process besides, far fewer do.
    assert len(cache._cache) <= 100_000 // ENTRY_OVERHEAD
    assert cache.size_bytes <= 100_000


def test_each_sqlite_connection_has_a_bounded_page_cache_and_statement_cache(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -512
    assert settings.DATABASES["default"]["OPTIONS"]["cached_statements"] == 32


def test_warming_the_bridge_opens_a_connection_in_every_request_thread():
    import threading

    from django.db import connections

    from cryptodt.wsgi_bridge import WSGIBridge

    bridge = WSGIBridge(lambda environ, start_response: [], threads=3, max_body_bytes=1024)
    try:
        bridge.warm()
        names = {thread.name for thread in bridge.executor._threads}
        assert len(names) == 3
        opened = [bridge.executor.submit(lambda: connections["default"].connection is not None) for _ in range(3)]
        assert all(future.result() for future in opened)
    finally:
        gate = threading.Barrier(3)

        def close() -> None:
            gate.wait(timeout=10)
            connections.close_all()

        for future in [bridge.executor.submit(close) for _ in range(3)]:
            future.result()
        bridge.executor.shutdown()


def test_the_default_cache_is_byte_bounded_in_the_embedded_profile(settings):
    if settings.REDIS_URL:
        pytest.skip("the scale-out profile keeps no in-process cache")
    assert isinstance(caches["default"], BoundedLocMemCache)


def test_every_order_of_one_set_of_symbols_is_one_cache_entry_and_one_answer(api, listing):
    cache = caches["default"]
    if not isinstance(cache, BoundedLocMemCache):
        pytest.skip("counts the entries of the in-process cache")
    first = api.get("/api/prices?symbols=BTC,ETH,SOL")
    assert first.status_code == 200
    entries = len(cache._cache)
    for order in ("ETH,BTC,SOL", "SOL,ETH,BTC", "BTC,SOL,ETH"):
        again = api.get(f"/api/prices?symbols={order}")
        assert again.content == first.content
    assert len(cache._cache) == entries
    assert [row["symbol"] for row in first.json()["data"]] == ["BTC", "ETH", "SOL"]


def test_a_locked_database_in_a_read_is_a_503_with_retry_after(api, listing, monkeypatch):
    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "resolve_symbols", locked)
    response = api.get("/api/prices?symbols=BTC")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"
    assert int(response["Retry-After"]) >= 1


def test_a_locked_database_while_issuing_a_key_is_a_503(api, django_user_model, monkeypatch):
    from accounts import services

    user = django_user_model.objects.create_user("kim")
    key = services.api_key_issue(user=user, name="one").key

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "api_key_issue", locked)
    response = api.post("/api/auth/keys", {"name": "two"}, format="json", HTTP_X_API_KEY=key)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


@pytest.mark.urls("tests.reliability.failing_urls")
@pytest.mark.parametrize("path", ["/api/plain-db-down", "/plain-db-down"])
def test_a_database_failure_in_a_plain_django_view_is_a_503_too(client, path, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) >= 1
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "database_unavailable"


@pytest.mark.urls("tests.reliability.failing_urls")
def test_an_integrity_error_is_still_a_500(client):
    client.raise_request_exception = False
    assert client.get("/api/plain-integrity").status_code == 500

"""/metrics: names and labels of every metric family, who may scrape, and that a scrape
never fails, even across processes (prometheus_client's multiprocess mode)."""

import os
import subprocess
import sys
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from cryptodt import metrics
from markets.services import collect
from providers import breaker, budget, router
from sentiment import selectors as sentiment
from tests.data.conftest import listing  # noqa: F401  (fixture)
from tests.observability.conftest import samples, value
from tests.platform.processes import ROOT
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def test_requests_are_counted_by_url_pattern_method_and_status(client, scrape):
    before = value(scrape(), "cryptodt_http_requests_total", route="/api/health", method="GET", status="200") or 0
    assert client.get("/api/health").status_code == 200
    refused = client.get("/api/prices", {"symbols": "NOPE"}).status_code
    body = scrape()
    assert value(body, "cryptodt_http_requests_total", route="/api/health", method="GET", status="200") == before + 1
    assert value(body, "cryptodt_http_requests_total", route="/api/prices", status=str(refused)) >= 1
    assert value(body, "cryptodt_http_request_duration_seconds_count", route="/api/health", method="GET") >= 1
    # The pattern, never the raw path: one series for every coin page.
    client.get("/coins/zzz-not-a-coin")
    routes = {s.labels.get("route") for s in samples(scrape()) if s.name == "cryptodt_http_requests_total"}
    assert "/coins/<str:symbol>" in routes
    assert not any("zzz" in route for route in routes)


def test_provider_requests_failures_and_latency_by_provider_and_endpoint(upstream, settings, scrape):
    settings.PROVIDER_RETRIES = 0
    fake = upstream("coingecko")
    fake.script("/global", Reply(b"oops", 500))
    before = scrape()
    with pytest.raises(router.AllProvidersFailed):
        router.fetch_global()
    body = scrape()
    labels = {"provider": "coingecko", "endpoint": "global"}

    def grew(name, **more):
        return (value(body, name, **labels, **more) or 0) - (value(before, name, **labels, **more) or 0)

    assert grew("cryptodt_provider_requests_total", outcome="http_5xx") == 1
    assert grew("cryptodt_provider_failures_total", reason="upstream_error") == 1
    assert grew("cryptodt_provider_request_duration_seconds_count") == 1


def test_breaker_state_and_budget_left_are_read_when_scraped(settings, scrape, monkeypatch):
    now = breaker.clock()
    monkeypatch.setattr(breaker, "clock", lambda: now)  # one budget minute for the whole test
    for _ in range(settings.PROVIDER_BREAKER_FAILURES):
        breaker.record_failure("kraken")
    budget.spend("defillama", "protocols", 5)
    body = scrape()
    assert value(body, "cryptodt_provider_circuit_state", provider="kraken", state="open") == 1
    assert value(body, "cryptodt_provider_circuit_state", provider="kraken", state="closed") == 0
    assert value(body, "cryptodt_provider_circuit_state", provider="binance", state="closed") == 1
    limit = settings.PROVIDER_BUDGETS["defillama"][0]
    assert value(body, "cryptodt_provider_budget_remaining", provider="defillama", window="per_minute") == limit - 5
    assert value(body, "cryptodt_provider_budget_remaining", provider="coingecko", window="per_month") is not None


def test_collection_steps_report_duration_rows_stored_and_rejected_payloads(upstream, own_fixture, scrape):
    fake = upstream("coingecko")
    fake.script("/global", Reply(own_fixture("coingecko/global.json")))
    before = scrape()
    assert collect.collect_global().ok
    body = scrape()
    assert (
        value(body, "cryptodt_rows_stored_total", kind="global")
        - (value(before, "cryptodt_rows_stored_total", kind="global") or 0)
        == 1
    )
    assert value(body, "cryptodt_collection_runs_total", kind="global", outcome="ok") >= 1
    assert value(body, "cryptodt_collection_duration_seconds_count", kind="global") >= 1
    collect.run_step("global", lambda: (_ for _ in ()).throw(collect.InvalidRecord("negative market cap")))
    assert value(scrape(), "cryptodt_rows_rejected_total", kind="global") >= 1


def test_data_age_is_reported_per_kind(listing, scrape):  # noqa: F811
    body = scrape()
    age = value(body, "cryptodt_data_age_seconds", kind="prices")
    assert age is not None and 0 <= age < 600
    assert value(body, "cryptodt_data_age_seconds", kind="fear_greed") is None  # nothing collected: no sample


def test_websocket_connections_and_frames_sent(transactional_db, scrape):
    from cryptodt.asgi import application

    async def session():
        client = WebsocketCommunicator(application, "/ws/prices")
        assert (await client.connect(timeout=5))[0]
        await client.send_json_to({"action": "ping"})
        assert (await client.receive_json_from(timeout=5)) == {"type": "pong"}
        open_now = value(scrape(), "cryptodt_websocket_connections")
        await client.disconnect()
        return open_now

    before = scrape()
    during = async_to_sync(session)()
    after = scrape()
    assert during == (value(before, "cryptodt_websocket_connections") or 0) + 1
    assert value(after, "cryptodt_websocket_connections") == during - 1
    pongs = lambda body: value(body, "cryptodt_websocket_frames_sent_total", type="pong") or 0  # noqa: E731
    assert pongs(after) == pongs(before) + 1


def test_rate_limit_rejections_are_counted_by_tier(client, settings, scrape, monkeypatch):
    from accounts import ratelimit as ratelimit_clock_holder
    from tests.accounts.conftest import FrozenClock

    monkeypatch.setattr(ratelimit_clock_holder, "time", FrozenClock(1_790_000_040.0))  # one window for every request
    settings.RATE_ANON = "2/m"
    before = value(scrape(), "cryptodt_rate_limit_rejections_total", tier="anonymous") or 0
    statuses = [client.get("/api/trending").status_code for _ in range(4)]
    assert statuses.count(429) == 2
    assert value(scrape(), "cryptodt_rate_limit_rejections_total", tier="anonymous") == before + 2


def test_sentiment_inferences_are_counted_by_backend(scrape):
    before = value(scrape(), "cryptodt_sentiment_inferences_total", backend="lexicon") or 0
    sentiment.analyze(texts=["Bitcoin soars", "Exchange hacked", "Markets open"])
    assert value(scrape(), "cryptodt_sentiment_inferences_total", backend="lexicon") == before + 3


def test_loopback_scrapes_freely_others_need_the_metrics_token(client, settings):
    remote = {"REMOTE_ADDR": "203.0.113.7"}
    settings.METRICS_TOKEN = ""
    refused = client.get("/metrics", **remote)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", **remote).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **remote).status_code == 401
    allowed = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **remote)
    assert allowed.status_code == 200
    assert b"cryptodt_http_requests_total" in allowed.content
    assert client.get("/metrics").status_code == 200  # loopback, no token


def test_a_scrape_survives_a_failing_source_and_a_corrupt_sample_file(client, settings, scrape):
    def broken():
        raise RuntimeError("database gone")

    metrics.register_collector("broken-for-test", broken)
    client.get("/api/health")
    corrupt = settings.METRICS_DIR / "counter_999999999.db"
    corrupt.write_bytes(b"\xff\xff\xff\x7f garbage" * 3)
    try:
        body = scrape()
        assert value(body, "cryptodt_provider_circuit_state", provider="binance", state="closed") == 1
        assert value(body, "cryptodt_http_requests_total", route="/api/health") >= 1  # the other files still count
    finally:
        metrics._collectors.pop("broken-for-test")
        corrupt.unlink()


def _child(code: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cryptodt.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_counters_of_several_processes_add_up_in_one_scrape(scrape):
    endpoint = f"test-{uuid.uuid4().hex[:8]}"
    bump = "from cryptodt import metrics\nfor _ in range(3): metrics.provider_request('binance', %r, 'ok', 0.01)\n"
    bump %= endpoint
    _child(bump)
    _child(bump)
    metrics.provider_request("binance", endpoint, "ok", 0.01)
    body = scrape()
    assert value(body, "cryptodt_provider_requests_total", provider="binance", endpoint=endpoint, outcome="ok") == 7
    assert value(body, "cryptodt_provider_request_duration_seconds_count", provider="binance", endpoint=endpoint) == 7


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second pass starts Redis)")
def test_with_redis_breakers_and_budgets_written_by_other_processes_show_in_the_scrape(settings, scrape):
    failures = settings.PROVIDER_BREAKER_FAILURES
    _child(f"from providers import breaker\nfor _ in range({failures}): breaker.record_failure('coincap')\n")
    _child("from providers import budget\nbudget.spend('coingecko', 'global', 4)\n")
    body = scrape()
    assert value(body, "cryptodt_provider_circuit_state", provider="coincap", state="open") == 1
    # The month's window, not the minute's: a minute may turn between the child and the scrape.
    left = value(body, "cryptodt_provider_budget_remaining", provider="coingecko", window="per_month")
    assert left == settings.PROVIDER_BUDGETS["coingecko"][1] - 4

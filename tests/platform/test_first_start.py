"""The first start on an empty database: every collection once, in dependency order, and
failed jobs retried 1, 2, 4 … minutes later instead of a whole interval later."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils.timezone import now
from django_q.conf import Conf
from django_q.models import Schedule

from cryptodt import schedules
from markets import tasks as market_tasks
from sentiment import tasks as sentiment_tasks
from tests.providers.fake_upstream import refuse_every_provider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(settings):
    refuse_every_provider(settings)
    settings.SENTIMENT_MODEL = "lexicon"


@pytest.fixture
def coins(db):
    from markets.services import ingest
    from tests.data.conftest import market_row

    ingest.ingest_market_rows(
        rows=[market_row("bitcoin", "btc", name="Bitcoin", cap="1", rank=1)], source="test", track=True
    )


@pytest.fixture
def tasks_run_inline(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def minutes_until(name: str) -> float:
    return (Schedule.objects.get(name=schedules.PREFIX + name).next_run - now()) / timedelta(minutes=1)


def test_the_first_start_runs_every_collection_once_in_dependency_order(monkeypatch, tasks_run_inline):
    ran = []
    for module, name in [
        (market_tasks, "refresh_registry"),
        (market_tasks, "first_collect_all"),
        (market_tasks, "collect_ohlcv"),
        (market_tasks, "collect_defi"),
        (market_tasks, "collect_exchanges"),
        (sentiment_tasks, "collect_sentiment"),
        (market_tasks, "first_backfill"),
    ]:
        monkeypatch.setattr(module, name, lambda name=name: ran.append(name) or "ok")

    call_command("setup_schedules")

    assert ran == [
        "refresh_registry",
        "first_collect_all",
        "collect_ohlcv",
        "collect_defi",
        "collect_exchanges",
        "collect_sentiment",
        "first_backfill",
    ]
    # The periodic runs start one interval later: the first collection already did them.
    assert minutes_until("collect_ohlcv") > 5
    assert schedules.bootstrap_since() is None  # done


def test_a_database_with_data_is_not_bootstrapped_again(monkeypatch, tasks_run_inline, coins):
    ran = []
    monkeypatch.setattr(market_tasks, "refresh_registry", lambda: ran.append("registry") or "ok")
    call_command("setup_schedules")
    assert ran == []


def test_a_failed_first_attempt_is_retried_after_a_minute_then_two_then_four():
    call_command("setup_schedules")
    interval = Schedule.objects.get(name=schedules.PREFIX + "refresh_registry").minutes
    assert interval > 4

    for expected in (1, 2, 4):
        result = market_tasks.refresh_registry()  # every provider refuses: a failure
        assert "failed" in result
        assert expected - 0.1 < minutes_until("refresh_registry") <= expected

    assert schedules.retry_delay_minutes(30, interval) == interval  # capped at the job's interval


def test_a_success_forgets_the_failures():
    call_command("setup_schedules")
    market_tasks.refresh_registry()
    market_tasks.refresh_registry()
    schedules.settle("refresh_registry", failed=False)
    market_tasks.refresh_registry()
    assert minutes_until("refresh_registry") <= 1


def test_a_coin_not_collected_yet_is_a_503_saying_so_not_an_unknown_symbol(api):
    response = api.get("/api/prices?symbols=BTC")
    assert response.status_code == 503
    error = response.json()["error"]
    assert "not collected yet" in error["message"] and "No coin with symbol" not in error["message"]
    assert error["details"]["not_collected_yet"] is True
    assert int(response["Retry-After"]) >= 1


def test_while_the_first_collection_runs_empty_answers_say_since_when(api, monkeypatch):
    from django.core.cache import caches

    caches["shared"].set(schedules.BOOTSTRAP_KEY, "2026-12-01T21:00:00Z", 60)
    try:
        for path in ["/api/market?limit=10", "/api/defi/chains", "/api/prices?symbols=BTC", "/api/news?limit=5"]:
            response = api.get(path)
            assert response.status_code == 503, path
            error = response.json()["error"]
            assert error["message"].startswith(
                "Not collected yet, first collection in progress since 2026-12-01T21:00:00Z."
            ), path
            assert error["details"]["collecting_since"] == "2026-12-01T21:00:00Z"
            assert response["Retry-After"] == "30"
    finally:
        caches["shared"].delete(schedules.BOOTSTRAP_KEY)


def test_ohlcv_does_not_blame_providers_it_never_asked(api, coins, settings):
    settings.OHLCV_INTERVALS = ["1h"]
    response = api.get("/api/ohlcv?symbol=BTC&interval=1h&limit=24")
    assert response.status_code == 503
    message = response.json()["error"]["message"]
    assert "no provider could be reached" not in message and "yet" in message


def _market_chart_until_now(hours: int = 48) -> bytes:
    import json
    import time

    stamps = [int((time.time() - h * 3600) * 1000) for h in range(hours, -1, -1)]
    return json.dumps(
        {
            "prices": [[t, 36480.5] for t in stamps],
            "market_caps": [[t, 713000000000.5] for t in stamps],
            "total_volumes": [[t, 18000000000] for t in stamps],
        }
    ).encode()


def test_the_first_backfill_stores_the_tracked_coins_recent_history(coins, upstream):
    from markets.models import HourlyPrice, PriceSnapshot
    from tests.providers.fake_upstream import Reply

    coingecko = upstream("coingecko")
    coingecko.script("/coins/bitcoin/market_chart", Reply(_market_chart_until_now()))

    report = market_tasks.first_backfill()

    assert coingecko.hits_on("/coins/bitcoin/market_chart") >= 1, report
    stored = HourlyPrice.objects.filter(coin__coin_id="bitcoin").count()
    stored += PriceSnapshot.objects.filter(coin__coin_id="bitcoin").count()
    assert stored > 24, report


def test_the_first_cycle_collects_global_and_trending_even_when_the_cache_marks_them_done(coins, monkeypatch):
    from django.core.cache import caches

    from markets.services import collect
    from providers.steps import StepResult

    for task in ("markets", "global", "trending"):
        caches["shared"].set(f"collect:ran:{task}", 1, 3600)  # a Redis that outlived its database
    asked = []
    for step in ("collect_markets", "collect_global", "collect_trending"):
        monkeypatch.setattr(
            collect, step, lambda step=step, **kw: asked.append(step) or StepResult(step, stored=1, provider="t")
        )

    market_tasks.first_collect_all()

    assert asked == ["collect_markets", "collect_global", "collect_trending"]

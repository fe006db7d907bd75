from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils.module_loading import import_string
from django_q.models import Schedule

from markets.models import HourlyPrice, PriceSnapshot
from markets.services import ingest
from tests.data.conftest import quote

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@override_settings(COLLECT_INTERVAL_S=120)
def test_setup_schedules_is_idempotent_and_declares_every_job(db):
    run("setup_schedules")
    first = {s.name: (s.func, s.minutes) for s in Schedule.objects.all()}
    run("setup_schedules")
    assert {s.name: (s.func, s.minutes) for s in Schedule.objects.all()} == first
    assert first["cryptodt:collect_all"] == ("markets.tasks.collect_all", 2)
    assert {name.split(":")[1] for name in first} == {
        "collect_all",
        "collect_ohlcv",
        "collect_defi",
        "collect_sentiment",
        "refresh_registry",
        "collect_exchanges",
        "prune_history",
        "backup_db",
        "prune_audit",
        "sweep_alert_deliveries",
    }


def test_setup_schedules_drops_a_job_it_no_longer_plans(db):
    Schedule.objects.create(name="cryptodt:old_job", func="markets.tasks.gone", schedule_type=Schedule.HOURLY)
    Schedule.objects.create(name="someone-else", func="x.y", schedule_type=Schedule.HOURLY)
    run("setup_schedules")
    assert not Schedule.objects.filter(name="cryptodt:old_job").exists()
    assert Schedule.objects.filter(name="someone-else").exists()


@override_settings(RAW_RETENTION_DAYS=7)
def test_prune_history_rolls_up_before_deleting(listing):
    old = (datetime.now(UTC) - timedelta(days=9)).replace(hour=5, minute=0, second=0, microsecond=0)
    ingest.ingest_quotes(
        quotes=[quote("bitcoin", "BTC", str(100 + i), old + timedelta(minutes=5 * i)) for i in range(12)],
        source="coingecko",
    )
    output = run("prune_history")
    assert "deleted 12 raw rows" in output
    assert not PriceSnapshot.objects.filter(t__lt=old + timedelta(hours=1)).exists()
    assert HourlyPrice.objects.get(t=old).high == 111


def test_backfill_needs_tracked_coins(db):
    with pytest.raises(CommandError, match="no tracked coins"):
        run("backfill_history", "--days", "30")


def test_collect_ohlcv_needs_tracked_coins(db):
    with pytest.raises(CommandError, match="no tracked coins"):
        run("collect_ohlcv")


def test_backfill_rejects_more_than_90_days(db):
    with pytest.raises(CommandError, match="between 1 and 90"):
        run("backfill_history", "--days", "91")


def test_collect_ohlcv_rejects_an_unknown_interval(db):
    with pytest.raises(CommandError, match="unknown interval"):
        run("collect_ohlcv", "--intervals", "7m")


def test_collect_sentiment_reports_fear_greed_and_news(db):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):  # no provider answers in this test
        call_command("collect_sentiment", stdout=out, stderr=err)
    assert "fear & greed: failed" in err.getvalue()
    assert "news: failed" in err.getvalue()


def test_readiness_reports_the_age_of_the_newest_price(api, listing):
    check = api.get("/api/health/ready").json()["checks"]["data_age"]
    assert check["ok"] is True and check["age_s"] < 60


def test_every_schedule_names_an_importable_task(db):
    run("setup_schedules")
    for schedule in Schedule.objects.filter(name__startswith="cryptodt:"):
        assert callable(import_string(schedule.func)), schedule.func


@pytest.mark.parametrize(
    "task",
    [
        "markets.tasks.collect_all",
        "markets.tasks.collect_ohlcv",
        "markets.tasks.collect_defi",
        "sentiment.tasks.collect_sentiment",
        "markets.tasks.prune_history",
    ],
)
def test_a_task_with_every_provider_down_reports_instead_of_raising(db, task):
    result = import_string(task)()
    assert isinstance(result, str)


def test_the_backup_task_writes_a_backup(db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    assert import_string("markets.tasks.backup_db")().startswith(str(tmp_path))


@override_settings(RAW_RETENTION_DAYS=7)
def test_prune_history_archives_to_archive_dir(listing, settings, tmp_path):
    settings.ARCHIVE_DIR = str(tmp_path)
    old = (datetime.now(UTC) - timedelta(days=9)).replace(hour=5, minute=0, second=0, microsecond=0)
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "1", old)], source="coingecko")
    output = run("prune_history")
    archive = tmp_path / f"prices-raw-{old.date().isoformat()}.csv.gz"
    assert archive.exists() and f"archived: {archive}" in output


COLLECT_COMMANDS = [
    "collect_prices",
    "collect_markets",
    "collect_ohlcv",
    "collect_defi",
    "collect_sentiment",
    "collect_all",
]


@pytest.mark.parametrize("command", COLLECT_COMMANDS)
def test_each_collect_command_with_every_provider_down_exits_non_zero_with_one_line(listing, command):
    with pytest.raises(CommandError) as failure:
        run(command)
    assert "\n" not in str(failure.value)
    assert str(failure.value).startswith(f"{command}: ")

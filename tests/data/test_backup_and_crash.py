"""Backups taken while the service writes, restore round trips, and a collector killed mid-batch."""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from markets.models import LatestQuote, PriceSnapshot
from markets.services import ingest
from markets.services.backup import BackupError, backup, restore
from sentiment.models import FearGreedPoint
from tests.data.conftest import market_row, quote

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def every_row() -> dict[str, list]:
    models = [*apps.get_app_config("markets").get_models(), FearGreedPoint]
    return {m._meta.label: sorted(map(repr, m.objects.values_list())) for m in models}


def seed():
    ingest.ingest_market_rows(
        rows=[market_row("bitcoin", "btc", price="65000.12", rank=1), market_row("pepe", "pepe", price="0.00001234")],
        source="coingecko",
        track=True,
    )
    start = datetime.now(UTC) - timedelta(hours=3)
    ingest.ingest_quotes(
        quotes=[quote("bitcoin", "BTC", str(60000 + i), start + timedelta(minutes=i)) for i in range(100)],
        source="coingecko",
    )


def test_a_backup_restores_every_row(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    seed()
    before = every_row()
    path = backup(output=tmp_path / "copy.backup")
    assert path.stat().st_size > 0

    PriceSnapshot.objects.all().delete()
    ingest.ingest_market_rows(rows=[market_row("solana", "sol", rank=3)], source="coingecko")
    changed = every_row()
    safety = restore(source=path)

    assert every_row() == before
    # What the restore replaced was copied first, so restoring the wrong file can be undone.
    assert safety.parent == settings.BACKUP_DIR and safety.name.startswith("pre-restore-")
    restore(source=safety)
    assert every_row() == changed
    restore(source=path)
    assert LatestQuote.objects.get(coin__coin_id="pepe").price.normalize() == Decimal("0.00001234")


def test_backups_keep_only_the_last_n(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    seed()
    written = [backup(keep=2) for _ in range(4)]
    assert sorted(tmp_path.iterdir()) == written[2:]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError):
        restore(source=bogus)
    with pytest.raises(BackupError):
        restore(source=tmp_path / "missing")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the copy with sqlite3")
def test_a_backup_taken_while_writing_holds_only_whole_batches(tmp_path):
    seed()
    stop = threading.Event()
    start = datetime.now(UTC) - timedelta(days=5)

    def writer():
        batch = 0
        while not stop.is_set():
            moments = [start + timedelta(seconds=batch * 100 + i) for i in range(100)]
            ingest.ingest_quotes(quotes=[quote("pepe", "PEPE", "0.1", t) for t in moments], source="binance")
            batch += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        copies = [backup(output=tmp_path / f"copy-{i}.sqlite3") for i in range(5)]
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        db = sqlite3.connect(copy)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (count,) = db.execute("SELECT count(*) FROM markets_pricesnapshot WHERE source = 'binance'").fetchone()
        db.close()
        assert count % 100 == 0


def _child_env() -> dict:
    env = dict(os.environ)
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return env


def _child_is_mid_transaction() -> bool:
    if connection.vendor == "sqlite":
        probe = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
            return False
        except sqlite3.OperationalError:  # "database is locked": the child holds the write lock
            return True
        finally:
            probe.close()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE %s",
            ["%markets_pricesnapshot%"],
        )
        return cursor.fetchone()[0] > 0


def test_a_collector_killed_mid_batch_leaves_the_previous_consistent_state():
    seed()
    before = PriceSnapshot.objects.count()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.data.collector_child", "500", "60000"],
        cwd=ROOT,
        env=_child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "first batch committed"
        deadline = time.monotonic() + 60
        while not _child_is_mid_transaction():
            assert child.poll() is None, "the second batch finished before it could be interrupted"
            assert time.monotonic() < deadline, "the child never started writing its second batch"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        rest = child.communicate()[0]
    assert "second batch committed" not in rest
    connection.close()

    assert PriceSnapshot.objects.count() == before + 500
    newest = PriceSnapshot.objects.filter(coin__coin_id="bitcoin").order_by("-t").first()
    latest = LatestQuote.objects.get(coin__coin_id="bitcoin")
    assert latest.t >= newest.t
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"


def test_the_backup_and_restore_commands_print_what_they_did(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    seed()
    out = StringIO()
    call_command("backup_db", "--output", str(tmp_path / "b.backup"), stdout=out)
    assert out.getvalue().startswith(f"backup: wrote {tmp_path / 'b.backup'}")
    out = StringIO()
    call_command("restore_db", str(tmp_path / "b.backup"), stdout=out)
    assert "restore: database restored" in out.getvalue()


def test_restore_of_a_missing_file_exits_with_one_line(tmp_path):
    with pytest.raises(CommandError) as failure:
        call_command("restore_db", str(tmp_path / "nope.sqlite3"))
    assert "no backup file" in str(failure.value) and "\n" not in str(failure.value)

import fcntl
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from accounts import audit, keys, services
from accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_each_authenticated_request_is_recorded_with_key_prefix_status_and_latency(api, user, api_key):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    api.get("/api/auth/keys/nope", HTTP_X_API_KEY=api_key)  # 405: DELETE only
    assert AuditEntry.objects.count() == 0, "written off the request path, not during it"

    assert audit.flush() == 2

    first, second = AuditEntry.objects.order_by("created", "pk")
    assert (first.user_id, first.username, first.key_prefix) == (user.pk, "ada", keys.parse(api_key).prefix)
    assert (first.method, first.endpoint, first.status) == ("GET", "/api/auth/me", 200)
    assert first.latency_ms >= 0
    assert (second.endpoint, second.status) == ("/api/auth/keys/nope", 405)


def test_jwt_requests_are_recorded_without_a_key_prefix(api, user):
    from rest_framework_simplejwt.tokens import AccessToken

    api.get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    audit.flush()
    entry = AuditEntry.objects.get()
    assert (entry.username, entry.key_prefix) == ("ada", "")


def test_anonymous_and_refused_requests_are_not_recorded(api):
    api.get("/api/auth/me")
    api.get("/api/auth/me", HTTP_X_API_KEY="nope")
    assert audit.pending() == 0


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# transaction=True: the writer thread has its own connection, so it must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_entries_once_the_batch_is_full(api, api_key, settings):
    settings.AUDIT_BATCH = 3
    settings.AUDIT_FLUSH_INTERVAL_S = 3600
    settings.AUDIT_SPOOL_INTERVAL_S = 0.05
    audit.start_writer()
    for _ in range(2):
        api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    assert _wait_for(lambda: audit.pending() == 2 and audit._spool.lines == 2)
    assert AuditEntry.objects.count() == 0
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    assert _wait_for(lambda: AuditEntry.objects.count() == 3)
    assert _wait_for(lambda: audit.pending() == 0)


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_entries_once_they_are_old_enough(api, api_key, settings):
    settings.AUDIT_FLUSH_INTERVAL_S = 0
    settings.AUDIT_SPOOL_INTERVAL_S = 0.05
    audit.start_writer()
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    assert _wait_for(lambda: AuditEntry.objects.count() == 1)


def test_a_request_never_writes_the_audit_log_itself(api, api_key, settings, django_assert_num_queries):
    settings.AUDIT_FLUSH_INTERVAL_S = 0
    settings.AUDIT_BATCH = 1
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    assert AuditEntry.objects.count() == 0
    assert audit.pending() == 1


def test_entries_the_database_refuses_wait_in_the_spool_and_are_written_once_it_is_back(api, api_key, monkeypatch):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "_insert_sql", locked)
        assert audit.flush() == 0
    assert audit.pending() == 2
    assert len(audit._spool.path.read_text().splitlines()) == 2

    assert audit.flush() == 2
    assert AuditEntry.objects.count() == 2
    assert audit.pending() == 0


def test_a_spool_written_twice_stores_each_entry_once(api, api_key, settings):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    audit.flush()
    # A process killed after its INSERT committed but before it emptied its spool:
    entry = AuditEntry.objects.get()
    line = {
        "entry_id": entry.entry_id.hex,
        "created": entry.created.isoformat(),
        **{f: getattr(entry, f) for f in ("user_id", "username", "key_prefix", "method", "endpoint", "status")},
        "latency_ms": entry.latency_ms,
    }
    orphan = settings.AUDIT_SPOOL_DIR / "audit-1-dead.jsonl"
    orphan.write_text(json.dumps(line) + "\n" + '{"entry_id": "cut sh')  # and a line cut by the kill
    audit.flush()
    assert AuditEntry.objects.count() == 1
    assert not orphan.exists()


def test_a_live_process_spool_is_left_to_its_owner(settings):
    settings.AUDIT_SPOOL_DIR.mkdir(parents=True, exist_ok=True)
    held = settings.AUDIT_SPOOL_DIR / "audit-2-alive.jsonl"
    with open(held, "a") as owner:
        fcntl.flock(owner, fcntl.LOCK_EX)
        owner.write("{}\n")
        owner.flush()
        audit.flush()
        assert held.exists()


def test_entries_are_written_only_to_the_database_they_were_served_from(api, api_key, settings):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    from django.db import connection

    real_name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = "some-other-database"
    try:
        assert audit.flush() == 0
    finally:
        connection.settings_dict["NAME"] = real_name
    assert AuditEntry.objects.count() == 0


def _entry(age: timedelta) -> AuditEntry:
    return AuditEntry.objects.create(
        created=timezone.now() - age, username="ada", method="GET", endpoint="/api/x", status=200, latency_ms=1
    )


def test_prune_keeps_the_retention_window(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old = _entry(timedelta(days=31))
    recent = _entry(timedelta(days=29))

    assert services.audit_prune() == 1

    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


def test_prune_audit_command_reports_what_it_deleted(settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 7
    _entry(timedelta(days=8))
    call_command("prune_audit")
    assert "deleted 1 audit entries older than 7 days" in capsys.readouterr().out


def test_entries_outlive_the_user(api, user, api_key):
    api.get("/api/auth/me", HTTP_X_API_KEY=api_key)
    audit.flush()
    user.delete()
    assert AuditEntry.objects.get().username == "ada"


def test_the_daily_schedule_prunes_the_audit_log(settings):
    call_command("setup_schedules")
    schedule = Schedule.objects.get(name="cryptodt:prune_audit")
    assert schedule.minutes == 24 * 60
    settings.AUDIT_RETENTION_DAYS = 7
    _entry(timedelta(days=8))
    assert import_string(schedule.func)() == "deleted 1 audit entries older than 7 days"
    assert not AuditEntry.objects.exists()

"""GET/POST /api/diagnostics and manage.py diagnose: every self-check, staff only, safe fixes."""

import os
import shutil
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.models import Schedule
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from cryptodt import diagnostics

pytestmark = pytest.mark.django_db

CHECKS = {
    "database",
    "cache",
    "channel_layer",
    "task_queue",
    "providers",
    "data_age",
    "sentiment",
    "migrations",
    "shared_cache",
    "schedules",
    "data_dir",
    "disk_space",
    "secrets",
    "backup_age",
    "price_feed",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.BACKUP_DIR = tmp_path / "backups"


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def staff(django_user_model):
    return client_of(django_user_model.objects.create_user("root", password="x-Very-long-9", is_staff=True))


@pytest.fixture
def member(django_user_model):
    return client_of(django_user_model.objects.create_user("ada", password="x-Very-long-9"))


def test_it_needs_credentials(api):
    response = api.get("/api/diagnostics")
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_it_is_forbidden_to_non_staff(member):
    for response in (member.get("/api/diagnostics"), member.post("/api/diagnostics", {"fix": True}, format="json")):
        assert response.status_code == 403
        assert response.json()["error"]["code"]


def test_staff_get_every_check_with_ok_detail_and_fixable(staff):
    response = staff.get("/api/diagnostics")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert CHECKS <= set(checks)
    for name, check in checks.items():
        assert isinstance(check["ok"], bool), name
        assert isinstance(check["detail"], str) and check["detail"], name
        assert isinstance(check["fixable"], bool), name
    assert checks["migrations"]["ok"] is True


def test_missing_schedules_are_fixable_and_fixed_by_post(staff):
    call_command("setup_schedules", stdout=StringIO())
    Schedule.objects.filter(name="cryptodt:collect_all").delete()
    before = staff.get("/api/diagnostics").json()["checks"]["schedules"]
    assert (before["ok"], before["fixable"]) == (False, True)
    assert "cryptodt:collect_all" in before["detail"]

    response = staff.post("/api/diagnostics", {"fix": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["fixed"]["schedules"] == "ran setup_schedules"
    assert body["checks"]["schedules"] == {**body["checks"]["schedules"], "ok": True, "fixable": False}
    assert Schedule.objects.filter(name="cryptodt:collect_all").exists()


def test_post_without_fix_only_checks(staff):
    Schedule.objects.all().delete()
    body = staff.post("/api/diagnostics", {"fix": False}, format="json").json()
    assert "fixed" not in body and body["checks"]["schedules"]["ok"] is False
    assert not Schedule.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"fix": "maybe"}, {"fix": None}, ["fix"], "fix", {"fix": [True]}])
def test_a_bad_body_is_a_400_envelope(staff, payload):
    response = staff.post("/api/diagnostics", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_a_malformed_json_body_is_a_400_envelope(staff):
    response = staff.post("/api/diagnostics", b'{"fix": tr', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_a_missing_shared_cache_directory_is_recreated(settings):
    # Called directly: any request through the API writes to the shared cache, which
    # recreates the directory by itself before the check could see it missing.
    location = Path(settings.CACHES["shared"]["LOCATION"])
    if not settings.CACHES["shared"]["BACKEND"].endswith("FileBasedCache"):
        pytest.skip("with REDIS_URL the shared cache is Redis, not a directory")
    shutil.rmtree(location)
    assert diagnostics.shared_cache()["ok"] is False
    report = diagnostics.fix_all()
    assert report["fixed"]["shared_cache"] == f"created {location}"
    assert report["checks"]["shared_cache"]["ok"] is True and location.is_dir()


def test_backup_age_follows_the_newest_backup(staff, settings):
    backups = Path(settings.BACKUP_DIR)
    assert staff.get("/api/diagnostics").json()["checks"]["backup_age"]["ok"] is False
    backups.mkdir(parents=True)
    old = backups / "cryptodt-20260101T000000Z.sqlite3"
    old.write_bytes(b"x")
    three_days_ago = time.time() - 3 * 86400
    os.utime(old, (three_days_ago, three_days_ago))
    check = staff.get("/api/diagnostics").json()["checks"]["backup_age"]
    assert check["ok"] is False and "old" in check["detail"] and check["fixable"] is False
    (backups / "cryptodt-20260103T000000Z.sqlite3").write_bytes(b"x")
    assert staff.get("/api/diagnostics").json()["checks"]["backup_age"]["ok"] is True


def test_production_settings_with_a_weak_secret_fail(staff, settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    settings.ALLOWED_HOSTS = ["*"]
    check = staff.get("/api/diagnostics").json()["checks"]["secrets"]
    assert check["ok"] is False
    assert "SECRET_KEY" in check["detail"] and "ALLOWED_HOSTS" in check["detail"]


def test_diagnose_prints_every_check_and_exits_non_zero_when_one_fails():
    Schedule.objects.all().delete()
    out = StringIO()
    with pytest.raises(CommandError, match=r"schedules.*\(try --fix\)"):
        call_command("diagnose", stdout=out)
    lines = out.getvalue().splitlines()
    assert {line.split()[1].rstrip(":") for line in lines} >= CHECKS
    assert any(line.startswith("FIX  schedules:") for line in lines)


def test_diagnose_fix_repairs_what_it_safely_can(settings):
    Schedule.objects.all().delete()
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("diagnose", "--fix", stdout=out)
    assert "fixed schedules: ran setup_schedules" in out.getvalue()
    assert "schedules" not in str(failed.value).split(":", 1)[1]
    assert Schedule.objects.filter(name__startswith="cryptodt:").count() >= 7

"""The embedded default and the scale-out profile come from the same settings module."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.platform.processes import ROOT

PROFILE_VARS = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}


def loaded_settings(tmp_path, **env: str) -> dict:
    """Loads the settings in a fresh process (no connection is opened) and reports the backends."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
        "'shared': s.CACHES['shared']['BACKEND'], 'layer': s.CHANNEL_LAYERS['default']['BACKEND'], "
        "'q': sorted(k for k in ('orm', 'redis') if k in s.Q_CLUSTER), "
        "'data_dir': str(s.DATA_DIR), 'name': str(s.DATABASES['default']['NAME'])}))"
    )
    environ = {k: v for k, v in os.environ.items() if k not in PROFILE_VARS}
    environ |= {"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cryptodt.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_no_environment_everything_is_embedded(tmp_path):
    loaded = loaded_settings(tmp_path)
    assert loaded["db"] == "django.db.backends.sqlite3"
    assert loaded["name"].startswith(str(tmp_path))
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["shared"].endswith("FileBasedCache")
    assert loaded["layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["q"] == ["orm"]


def test_database_url_and_redis_url_switch_every_backend(tmp_path):
    loaded = loaded_settings(
        tmp_path, DATABASE_URL="postgres://u:p@127.0.0.1:1/cryptodt", REDIS_URL="redis://127.0.0.1:1/0"
    )
    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["cache"].endswith("RedisCache") and loaded["shared"].endswith("RedisCache")
    assert loaded["layer"] == "channels_redis.core.RedisChannelLayer"
    assert loaded["q"] == ["redis"]


def test_the_default_data_directory_is_git_ignored():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "data/cryptodt.sqlite3"], cwd=ROOT, capture_output=True, timeout=30
    )
    assert ignored.returncode == 0


@pytest.mark.django_db
def test_the_embedded_database_runs_in_wal_mode_with_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000

"""DEBUG=0: refuse to start half-configured, pass Django's deployment checklist."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.platform.processes import ROOT

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "example.org"}


def manage(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    environ |= {"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cryptodt.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=90
    )


def production_settings(tmp_path, *names: str, **env: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}))"
    )
    result = manage(tmp_path, "shell", "-c", code, **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_warnings_under_production_env(tmp_path):
    result = manage(tmp_path, "check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set when DEBUG=0"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set when DEBUG=0"),
    ],
)
def test_production_refuses_to_start_without(tmp_path, missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_never_writes_a_development_secret_key(tmp_path):
    manage(tmp_path, "check", DEBUG="0", ALLOWED_HOSTS="example.org")
    assert not (tmp_path / "secret_key").exists()


def test_production_cookies_are_secure_and_hsts_is_on(tmp_path):
    values = production_settings(
        tmp_path,
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None, "the proxy header must be opt-in"


def test_platforms_that_terminate_tls_opt_in_to_the_proxy_header(tmp_path):
    values = production_settings(tmp_path, "SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="1")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]

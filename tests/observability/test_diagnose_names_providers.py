"""diagnose and /api/diagnostics name each failing provider: circuit state, last error,
when it is tried again."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cryptodt import diagnostics
from providers import breaker, router
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def coingecko_down(upstream, settings):
    settings.PROVIDER_RETRIES = 0
    fake = upstream("coingecko")
    fake.script("/global", Reply(b"<html>bad gateway</html>", 502))
    for _ in range(settings.PROVIDER_BREAKER_FAILURES):
        with pytest.raises(router.AllProvidersFailed):
            router.fetch_global()
    assert breaker.read("coingecko").state == breaker.OPEN


def test_the_providers_check_names_the_failing_provider_its_error_and_retry_time(coingecko_down, settings):
    check = diagnostics.run_all()["checks"]["providers"]
    assert not check["ok"]
    assert check["detail"].startswith("no provider for: ")
    failures = {f["name"]: f for f in check["failing"]}
    coingecko = failures["coingecko"]
    assert coingecko["state"] == "open"
    assert coingecko["failures"] == settings.PROVIDER_BREAKER_FAILURES
    assert coingecko["last_error"]["reason"] == "HTTP 502"
    assert coingecko["last_error"]["endpoint"] == "global"
    assert coingecko["retry_at"].endswith("Z")
    assert (
        f"coingecko: circuit open after {settings.PROVIDER_BREAKER_FAILURES} failures; last error HTTP 502 on global"
        in check["detail"]
    )
    assert f"retried from {coingecko['retry_at']}" in check["detail"]


def test_manage_py_diagnose_prints_the_culprit(coingecko_down):
    out = StringIO()
    with pytest.raises(CommandError, match="providers"):
        call_command("diagnose", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("FAIL providers"))
    assert "coingecko: circuit open" in line
    assert "last error HTTP 502 on global" in line


def test_a_half_open_circuit_says_the_next_call_probes_it(coingecko_down, monkeypatch, settings):
    later = breaker.clock() + settings.PROVIDER_BREAKER_COOLDOWN_S + 1
    monkeypatch.setattr(breaker, "clock", lambda: later)
    detail = diagnostics.run_all()["checks"]["providers"]["detail"]
    assert "coingecko: circuit half-open" in detail
    assert "the next call probes it" in detail


def test_healthy_providers_are_not_named(db):
    check = diagnostics.run_all()["checks"]["providers"]
    assert check["failing"] == []
    assert check["detail"] == "all capabilities have a provider"

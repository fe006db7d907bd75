"""Provider tests: short, deterministic knobs and a clock moved by hand."""

import pytest

from tests.providers.fake_upstream import BASE_URL_SETTINGS


@pytest.fixture(autouse=True)
def _provider_settings(settings, db):
    """Short, deterministic knobs: the operator config table is empty (db), no long waits."""
    settings.PROVIDER_TIMEOUT_S = 0.5
    settings.PROVIDER_BACKOFF_S = 0.05
    settings.PROVIDER_BREAKER_COOLDOWN_S = 30.0
    settings.PROVIDER_MAX_RETRY_AFTER_S = 2.0
    settings.COINGECKO_API_KEY = ""
    settings.COINGECKO_API_PLAN = "demo"
    # Keyed providers get a key so the older tests keep asking them; keyless tests clear it.
    settings.COINCAP_API_KEY = "test-coincap-key"
    settings.COINDESK_API_KEY = "test-coindesk-key"
    # A provider a test did not start refuses connections locally instead of reaching out.
    for setting, _ in BASE_URL_SETTINGS.values():
        setattr(settings, setting, "http://127.0.0.1:9")


@pytest.fixture
def frozen_clock(monkeypatch):
    """Breaker and budget time that tests move by hand instead of sleeping."""
    from providers import breaker

    class Clock:
        now = 1_700_000_000.0

        def __call__(self) -> float:
            return self.now

        def advance(self, seconds: float) -> None:
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(breaker, "clock", clock)
    return clock

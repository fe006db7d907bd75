from pathlib import Path

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from cryptodt import counters, data_cache
from tests.coingecko_compat.conformance import coingecko_conformance  # noqa: F401  (autouse: every /api/v3/ answer)
from tests.providers.fake_upstream import BASE_URL_SETTINGS, FakeUpstream

# One place for provider payloads: <provider>/<name> written from the provider's docs,
# <provider>/recorded/<name> captured from the live API; SOURCES.md names the source of each.
PROVIDER_FIXTURES = Path(__file__).parent / "fixtures" / "providers"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts with empty caches, so no state leaks between tests."""
    for alias in ("default", "shared"):
        caches[alias].clear()
    counters.clear()
    data_cache.forget_answers()
    yield


@pytest.fixture(autouse=True)
def _own_audit_spool(settings, tmp_path):
    """Audit entries a test leaves behind never reach a spool outside the test."""
    from accounts import audit

    settings.AUDIT_SPOOL_DIR = tmp_path / "audit-spool"
    yield
    audit.discard()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def recorded_fixture():
    """``recorded_fixture("coingecko/ping.json")`` reads a live capture: providers/coingecko/recorded/ping.json."""

    def read(relative: str) -> bytes:
        provider, name = relative.split("/", 1)
        return (PROVIDER_FIXTURES / provider / "recorded" / name).read_bytes()

    return read


@pytest.fixture
def own_fixture():
    """``own_fixture("coingecko/simple_price.json")`` reads a payload written from the provider's docs."""

    def read(relative: str) -> bytes:
        return (PROVIDER_FIXTURES / relative).read_bytes()

    return read


@pytest.fixture
def upstream(settings):
    """``upstream("coingecko")`` starts a stand-in CoinGecko on 127.0.0.1 and points its base URL at it."""
    started = []

    def start(provider: str) -> FakeUpstream:
        setting, prefix = BASE_URL_SETTINGS[provider]
        fake = FakeUpstream(prefix).start()
        setattr(settings, setting, fake.url)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()

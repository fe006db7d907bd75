import os
from pathlib import Path

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from tests.coingecko_compat.conformance import coingecko_conformance  # noqa: F401  (autouse: every /api/v3/ answer)
from tests.providers.fake_upstream import BASE_URL_SETTINGS, FakeUpstream

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path(os.environ.get("CRYPTODT_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / (
    "fixtures/providers"
)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts with empty caches, so no state leaks between tests."""
    for alias in ("default", "shared"):
        caches[alias].clear()
    yield


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def shared_fixture():
    """Reads a recorded provider payload from ../shared; skips when it is absent."""

    def read(relative: str) -> bytes:
        path = SHARED_FIXTURES / relative
        if not path.exists():
            pytest.skip(f"../shared fixture {relative} is not available")
        return path.read_bytes()

    return read


@pytest.fixture
def own_fixture():
    def read(relative: str) -> bytes:
        return (FIXTURES / relative).read_bytes()

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

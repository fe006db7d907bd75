import pytest

from accounts import ratelimit as ratelimit_clock_holder
from tests.accounts.conftest import FrozenClock
from tests.data.conftest import listing  # noqa: F401  (fixture)
from tests.providers.fake_upstream import refuse_every_provider


@pytest.fixture(autouse=True)
def _no_real_providers(settings):
    refuse_every_provider(settings)


@pytest.fixture
def rate_clock(monkeypatch):
    """All of a test's requests in one rate-limit window (tests/accounts/conftest.py)."""
    clock = FrozenClock(1_790_000_040.0)
    monkeypatch.setattr(ratelimit_clock_holder, "time", clock)
    return clock

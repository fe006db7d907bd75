import pytest
from rest_framework.test import APIClient

from accounts import audit, services
from accounts import ratelimit as ratelimit_clock_holder

PASSWORD = "correct-Horse-battery-9"


class FrozenClock:
    """Stands in for the ``time`` module inside accounts.ratelimit, so a test's requests
    all fall into one rate-limit window however long the test runs."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; these tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_audit_buffer():
    audit.discard()
    yield
    audit.discard()


@pytest.fixture(autouse=True)
def _anonymous_limit_these_tests_count_against(settings):
    settings.RATE_ANON = "10/m"  # the mechanism, not the shipped default (README tour test)


@pytest.fixture
def rate_clock(monkeypatch):
    # The start of a minute in 2026; windows are jittered per caller, and tests that
    # need a boundary move the clock rather than sleep.
    clock = FrozenClock(1_790_000_040.0)
    monkeypatch.setattr(ratelimit_clock_holder, "time", clock)
    return clock


@pytest.fixture
def make_user(django_user_model):
    def make(username: str = "ada", *, tier: str = "free", password: str = PASSWORD, **extra):
        user = django_user_model.objects.create_user(username=username, password=password, **extra)
        if tier != "free":
            services.tier_set(user=user, tier=tier)
        return user

    return make


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def api_key(user):
    return services.api_key_issue(user=user, name="laptop").key


@pytest.fixture
def key_client(api_key):
    """A client of its own that sends the user's key with every request."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key)
    return client

"""Every hostile-input test runs with generous limits and refusing providers, against some
stored data and three kinds of caller."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from tests.data.conftest import market_row
from tests.providers.fake_upstream import refuse_every_provider

UNLIMITED = "1000000/m"


@pytest.fixture(autouse=True)
def _quiet_world(settings):
    """Generous limits so 429s do not mask other answers; providers refuse locally, fast."""
    settings.RATE_ANON = settings.RATE_FREE = settings.RATE_PRO = UNLIMITED
    settings.RATE_TOKEN_IP = settings.RATE_TOKEN_USERNAME = UNLIMITED
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    refuse_every_provider(settings)


@pytest.fixture
def stored_coins(db):
    """Some stored data, so hostile parameters reach the selectors and not only the 503 path."""
    from markets.services import ingest

    ingest.ingest_market_rows(
        rows=[
            market_row("bitcoin", "btc", price="65000.12", cap="1280000000000", rank=1),
            market_row("ethereum", "eth", price="3500.5", cap="420000000000", rank=2),
        ],
        source="coingecko",
        track=True,
    )


@pytest.fixture
def callers(stored_coins, django_user_model) -> dict[str, dict[str, str]]:
    """Headers for each kind of caller: anonymous, a free user and staff (both JWT)."""
    free = django_user_model.objects.create_user(username="free", password="x-Long-pass-99")
    staff = django_user_model.objects.create_user(username="staff", password="x-Long-pass-99", is_staff=True)
    return {
        "anonymous": {},
        "free": {"Authorization": f"Bearer {RefreshToken.for_user(free).access_token}"},
        "staff": {"Authorization": f"Bearer {RefreshToken.for_user(staff).access_token}"},
    }

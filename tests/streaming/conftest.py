"""A real ASGI application, real Channels (in-memory layer unless REDIS_URL), coins stored
through the real ingest service."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts import services as accounts_services
from markets.services import ingest
from providers.records import MarketRow, Quote

TIMEOUT = 5


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def market_row(coin_id: str, symbol: str, *, price: str, cap: str, rank: int, t=None) -> MarketRow:
    return MarketRow(
        coin_id=coin_id,
        symbol=symbol,
        name=coin_id.title(),
        price=Decimal(price),
        as_of=t or datetime.now(UTC).replace(microsecond=0),
        rank=rank,
        market_cap=Decimal(cap),
        volume_24h=Decimal("5000"),
        change_24h_pct=Decimal("-1.5"),
    )


@pytest.fixture
def coins(transactional_db):
    """bitcoin (BTC), ethereum (ETH) and a tiny coin that also calls itself BTC."""
    t = datetime(2026, 1, 1, 12, tzinfo=UTC)
    ingest.ingest_market_rows(
        rows=[
            market_row("bitcoin", "btc", price="65000.12", cap="1280000000000", rank=1, t=t),
            market_row("ethereum", "eth", price="3500.5", cap="420000000000", rank=2, t=t),
            market_row("bitcoin-imitation", "btc", price="0.00001234", cap="1000", rank=900, t=t),
        ],
        source="coingecko",
        track=True,
    )
    return t


def store_price(coin_id: str, symbol: str, price: str, t: datetime, source: str = "binance") -> None:
    ingest.ingest_quotes(quotes=[Quote(coin_id=coin_id, symbol=symbol, price=Decimal(price), as_of=t)], source=source)


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="ada", password="correct-Horse-battery-9")


@pytest.fixture
def api_key(user):
    return accounts_services.api_key_issue(user=user, name="ws").key


def feed(query: str = "") -> WebsocketCommunicator:
    from cryptodt.asgi import application

    return WebsocketCommunicator(application, "/ws/prices" + (f"?{query}" if query else ""))


async def connected(query: str = "") -> WebsocketCommunicator:
    client = feed(query)
    accepted, _ = await client.connect(timeout=TIMEOUT)
    assert accepted
    return client


async def receive(client: WebsocketCommunicator) -> dict:
    return await client.receive_json_from(timeout=TIMEOUT)


async def receive_until(client: WebsocketCommunicator, kind: str, *, limit: int = 20) -> dict:
    """The next frame of a type, skipping others (heartbeats, snapshots)."""
    for _ in range(limit):
        frame = await receive(client)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame in {limit} frames")


async def nothing_more(client: WebsocketCommunicator, seconds: float = 0.3) -> bool:
    return await client.receive_nothing(timeout=seconds)


async def blocking(fn, *args, **kwargs):
    """Run blocking project code (the ingest service) off the event loop, as Django would."""
    return await sync_to_async(fn)(*args, **kwargs)

"""Helpers that put records into the database through the real services, the stand-in
CoinGecko of the collection tests, and a runner of management commands."""

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from markets.services import ingest
from providers.records import MarketRow, Quote
from tests.data.upstream_pages import DIRECTORIES, GLOBAL, TRENDING, markets_page
from tests.providers.fake_upstream import Reply, refuse_every_provider


@pytest.fixture(autouse=True)
def _no_real_providers(settings):
    """A provider a test did not start refuses connections locally, quickly."""
    refuse_every_provider(settings)


def market_row(coin_id: str, symbol: str, *, price="100", cap="1000000", rank=1, as_of=None, **extra) -> MarketRow:
    return MarketRow(
        coin_id=coin_id,
        symbol=symbol,
        name=extra.pop("name", coin_id.title()),
        price=Decimal(price),
        as_of=as_of or datetime.now(UTC).replace(microsecond=0),
        rank=rank,
        market_cap=Decimal(cap) if cap is not None else None,
        volume_24h=Decimal("5000"),
        change_24h_pct=Decimal("-1.5"),
        image=f"https://img.example/{coin_id}.png",
        **extra,
    )


@pytest.fixture
def listing(db):
    """Stores a tracked top list (bitcoin, ethereum) and returns a function adding more."""

    def store(*rows: MarketRow, source="coingecko", track=True) -> int:
        return ingest.ingest_market_rows(rows=list(rows), source=source, track=track)

    store(
        market_row("bitcoin", "btc", price="65000.12", cap="1280000000000", rank=1),
        market_row("ethereum", "eth", price="3500.5", cap="420000000000", rank=2),
    )
    return store


def quote(coin_id, symbol, price, t, **extra) -> Quote:
    return Quote(coin_id=coin_id, symbol=symbol, price=Decimal(price), as_of=t, **extra)


def hours_ago(hours: float, *, now=None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(hours=hours)


@pytest.fixture
def coingecko(upstream, own_fixture):
    """A stand-in CoinGecko answering a whole collection cycle (upstream_pages, fixtures)."""
    fake = upstream("coingecko")
    fake.script("/coins/markets", Reply(markets_page()))
    GLOBAL["data"]["updated_at"] = int(time.time())
    fake.script("/global", Reply(json.dumps(GLOBAL).encode()))
    fake.script("/search/trending", Reply(json.dumps(TRENDING).encode()))
    for path, fixture in DIRECTORIES.items():
        fake.script(path, Reply(own_fixture(fixture)))
    return fake


def run(*args) -> str:
    """A management command's output (its stderr dropped)."""
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()

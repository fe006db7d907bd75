"""Stored data for the /api/v3/ tests, put in through the real ingest services."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from markets.models import Coin
from markets.services import ingest_history, ingest_overview
from providers.records import Candle, GlobalStats, PricePoint, TrendingEntry
from tests.data.conftest import _no_real_providers, listing, market_row  # noqa: F401


@pytest.fixture
def recorded(recorded_fixture):
    """A body the real CoinGecko answered, decoded."""

    def read(name: str) -> object:
        return json.loads(recorded_fixture(f"coingecko/{name}"))

    return read


def store_history(coin_id: str = "bitcoin", *, hours: int = 48, now: datetime | None = None) -> None:
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    points = [
        PricePoint(
            t=now - timedelta(hours=h),
            price=Decimal("60000.123456789") + h,
            market_cap=Decimal("1200000000000.5"),
            volume_24h=Decimal("30000000000"),
        )
        for h in range(hours, 0, -1)
    ]
    ingest_history.ingest_history_points(coin=Coin.objects.get(coin_id=coin_id), points=points, source="coingecko")


def store_candles(coin_id: str = "bitcoin", *, interval: str = "1h", count: int = 30) -> datetime:
    step = {
        "1m": timedelta(minutes=1),
        "5m": timedelta(minutes=5),
        "15m": timedelta(minutes=15),
        "30m": timedelta(minutes=30),
        "1h": timedelta(hours=1),
        "4h": timedelta(hours=4),
        "1d": timedelta(days=1),
    }[interval]
    start = (datetime.now(UTC) - count * step).replace(minute=0, second=0, microsecond=0)
    if interval == "1d":
        start = start.replace(hour=0)
    elif interval == "4h":
        start = start.replace(hour=start.hour - start.hour % 4)
    bars = [
        Candle(
            t=start + i * step,
            open=Decimal("100.5"),
            high=Decimal("110.25"),
            low=Decimal("99"),
            close=Decimal("105.125"),
            volume=Decimal("12.5"),
        )
        for i in range(count)
    ]
    ingest_history.ingest_candles(
        coin=Coin.objects.get(coin_id=coin_id), interval=interval, candles=bars, source="binance"
    )
    return start


def store_global() -> None:
    stats = GlobalStats(
        datetime.now(UTC).replace(microsecond=0),
        Decimal("2500000000000.25"),
        Decimal("90000000000"),
        btc_dominance_pct=Decimal("51.2"),
        eth_dominance_pct=Decimal("17.1"),
        active_cryptocurrencies=17111,
        market_cap_change_24h_pct=Decimal("-1.25"),
        upcoming_icos=0,
        ongoing_icos=49,
        ended_icos=3376,
        markets=1297,
        volume_change_24h_pct=Decimal("3.5"),
    )
    ingest_overview.ingest_global(stats=stats, source="coingecko")


def store_trending() -> None:
    entries = [
        TrendingEntry("ethereum", "eth", "Ethereum", 1, score=Decimal(0), **_trending_item(279, "ethereum")),
        TrendingEntry("bitcoin", "btc", "Bitcoin", 2, **_trending_item(1, "bitcoin")),
    ]
    ingest_overview.ingest_trending(entries=entries, source="coingecko")


def _trending_item(number: int, slug: str) -> dict:
    """What CoinGecko's trending item carries besides id, name, symbol and rank."""
    image = f"https://coin-images.coingecko.com/coins/images/{number}/%s/{slug}.png?1696501400"
    return {
        "number": number,
        "slug": slug,
        "thumb": image % "thumb",
        "small": image % "small",
        "large": image % "large",
        "price_btc": Decimal("0.0538"),
        "price_usd": Decimal("3500.5"),
        "change_24h_pct_usd": Decimal("-1.5"),
        "market_cap_usd_text": "$420,000,000,000",
        "market_cap_btc_text": "6461538.46",
        "total_volume_usd_text": "$5,000",
        "total_volume_btc_text": "0.0769",
        "sparkline": f"https://www.coingecko.com/coins/{number}/sparkline.svg",
    }


def digits15(value):
    """SQLite keeps 15 significant digits of a decimal (docs/API.md); PostgreSQL keeps all."""
    if isinstance(value, float):
        return float(f"{value:.15g}")
    if isinstance(value, dict):
        return {k: digits15(v) for k, v in value.items()}
    if isinstance(value, list):
        return [digits15(v) for v in value]
    return value

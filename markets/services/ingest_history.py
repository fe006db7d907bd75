"""Idempotent upserts of past prices: exchange candles and hourly history bars, and the
bookkeeping of which hours a backfill has already asked the providers for.

Validated whole before the transaction, as in ``ingest``; the cache versions of the data
kinds written are bumped after it.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from cryptodt import data_cache as cache
from markets.bars import bars_from_points
from markets.models import Candle, Coin, HourlyPrice, PriceSnapshot
from markets.services.ingest import BATCH
from providers import validation as v
from providers.records import Candle as CandleRecord
from providers.records import PricePoint


def ingest_candles(*, coin: Coin, interval: str, candles: Sequence[CandleRecord], source: str) -> int:
    rows = {}
    for bar in candles:
        what = f"{coin.coin_id} {interval} candle"
        o, h, lo, c = v.ohlc(bar.open, bar.high, bar.low, bar.close, what)
        t = v.moment(bar.t, f"{what} time")
        rows[t] = Candle(
            coin=coin,
            interval=interval,
            t=t,
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=v.money(bar.volume, f"{what} volume"),
            source=source,
        )
    with transaction.atomic():
        Candle.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["coin", "interval", "t"],
            update_fields=["open", "high", "low", "close", "volume", "source"],
            batch_size=BATCH,
        )
    cache.bump("ohlcv")
    return len(rows)


def ingest_history_points(*, coin: Coin, points: Sequence[PricePoint], source: str, vs: str = "usd") -> int:
    """Backfilled or on-demand history: hourly bars for hours not stored yet, never overwriting."""
    checked = [
        PricePoint(
            t=v.moment(p.t, f"{coin.coin_id} history time"),
            price=v.money(p.price, f"{coin.coin_id} history price", positive=True),
            market_cap=v.money(p.market_cap, f"{coin.coin_id} history market cap"),
            volume_24h=v.money(p.volume_24h, f"{coin.coin_id} history volume"),
        )
        for p in points
    ]
    bars = bars_from_points(coin_id=coin.pk, vs=vs, points=checked, source=source)
    if not bars:
        return 0
    with transaction.atomic():
        have = set(
            HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=bars[0].t, t__lte=bars[-1].t).values_list(
                "t", flat=True
            )
        )
        new = [bar for bar in bars if bar.t not in have]
        HourlyPrice.objects.bulk_create(new, ignore_conflicts=True, batch_size=BATCH)
    cache.bump("history")
    return len(new)


def history_gaps(*, coin: Coin, days: int, now: datetime, vs: str = "usd") -> list[tuple[datetime, datetime]]:
    """Hour ranges within the last ``days`` with neither an hourly bar nor raw data, leaving
    out hours a previous backfill already asked the providers for."""
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    have = set(HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=start, t__lt=end).values_list("t", flat=True))
    raw_hours = {
        t.replace(minute=0, second=0, microsecond=0)
        for t in PriceSnapshot.objects.filter(coin=coin, vs=vs, t__gte=start, t__lt=end).values_list("t", flat=True)
    }
    asked_from, asked_until = coin.history_covered_from, coin.history_covered_until
    gaps: list[tuple[datetime, datetime]] = []
    hour = start
    while hour < end:
        asked = asked_from is not None and asked_from <= hour and hour + timedelta(hours=1) <= asked_until
        if hour not in have and hour not in raw_hours and not asked:
            if gaps and gaps[-1][1] == hour:
                gaps[-1] = (gaps[-1][0], hour + timedelta(hours=1))
            else:
                gaps.append((hour, hour + timedelta(hours=1)))
        hour += timedelta(hours=1)
    return gaps


def mark_history_covered(*, coin: Coin, start: datetime, end: datetime) -> None:
    coin.history_covered_from = min(filter(None, [coin.history_covered_from, start]))
    coin.history_covered_until = max(filter(None, [coin.history_covered_until, end]))
    coin.save(update_fields=["history_covered_from", "history_covered_until"])

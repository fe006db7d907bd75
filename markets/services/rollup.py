"""Hourly roll-ups of raw snapshots, and retention (prune with optional archive).

Roll-up: every completed hour of raw snapshots becomes one HourlyPrice bar per coin
(open = first price, high = max, low = min, close = last, last market cap and volume).
``RollupState("prices").rolled_until`` records how far that has run, and prune never
deletes raw data at or after it, so a day is only deleted once it is rolled up.
"""

import csv
import gzip
import io
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from cryptodt import data_cache as cache
from markets.bars import ROLLUP_STATE, bars_from_points, hour_of, rolled_until
from markets.models import (
    Candle,
    GlobalDefiSnapshot,
    GlobalSnapshot,
    HourlyPrice,
    PriceSnapshot,
    ProtocolTVLPoint,
    RollupState,
    TrendingSnapshot,
)
from providers.records import PricePoint

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
LATE_ARRIVALS = timedelta(hours=2)
TVL_RETENTION = timedelta(days=366)
ROLLUP_CHUNK = timedelta(hours=6)
_SHORT_INTERVALS = ("1m", "5m", "15m", "30m")


def _day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def rollup_hours(*, now: datetime | None = None) -> int:
    """Roll every completed hour since the last roll-up (or the oldest raw row) into bars."""
    end = hour_of(now or datetime.now(UTC))
    start = rolled_until()
    if start is not None:
        if start >= end:
            return 0  # no hour has completed since the last roll-up
        # Quotes carry the provider's own time and may land a few minutes late, so the
        # last hours are rolled again (the upsert makes that harmless).
        start -= LATE_ARRIVALS
    else:
        oldest = PriceSnapshot.objects.order_by("t").values_list("t", flat=True).first()
        if oldest is None:
            return 0
        start = hour_of(oldest)
    written = 0
    hour = start
    while hour < end:
        # A few hours at a time keeps memory flat when a long backlog is rolled up.
        chunk_end = min(end, hour + ROLLUP_CHUNK)
        written += _rollup_range(hour, chunk_end)
        hour = chunk_end
    return written


def _rollup_range(start: datetime, end: datetime) -> int:
    rows = (
        PriceSnapshot.objects.filter(t__gte=start, t__lt=end)
        .order_by("coin_id", "vs", "t")
        .values_list("coin_id", "vs", "t", "price", "market_cap", "volume_24h", "source")
    )
    groups: dict[tuple[int, str], tuple[list[PricePoint], str]] = {}
    for coin_id, vs, t, price, market_cap, volume, source in rows.iterator(chunk_size=5000):
        points, _ = groups.setdefault((coin_id, vs), ([], source))
        points.append(PricePoint(t=t, price=price, market_cap=market_cap, volume_24h=volume))
        groups[(coin_id, vs)] = (points, source)
    bars = [
        bar
        for (coin_id, vs), (points, source) in groups.items()
        for bar in bars_from_points(coin_id=coin_id, vs=vs, points=points, source=source)
    ]
    with transaction.atomic():
        HourlyPrice.objects.bulk_create(
            bars,
            update_conflicts=True,
            unique_fields=["coin", "vs", "t"],
            update_fields=["open", "high", "low", "close", "market_cap", "volume_24h", "samples", "source"],
            batch_size=500,
        )
        RollupState.objects.update_or_create(name=ROLLUP_STATE, defaults={"rolled_until": end})
    if bars:
        cache.bump("history")
    return len(bars)


@dataclass
class PruneReport:
    raw_days: list[str]
    raw_rows: int
    hourly_rows: int
    other_rows: int
    skipped_days: list[str]
    archived: list[str]


def prune(*, now: datetime | None = None, archive_dir: str | None = None) -> PruneReport:
    """Delete raw snapshots past RAW_RETENTION_DAYS (only days already rolled up) and
    hourly bars past HISTORY_RETENTION_DAYS, archiving each day first when asked."""
    now = now or datetime.now(UTC)
    archive_dir = archive_dir if archive_dir is not None else settings.ARCHIVE_DIR
    report = PruneReport([], 0, 0, 0, [], [])
    raw_cutoff = _day(now - timedelta(days=settings.RAW_RETENTION_DAYS))
    safe_until = rolled_until()
    oldest = PriceSnapshot.objects.filter(t__lt=raw_cutoff).order_by("t").values_list("t", flat=True).first()
    day = _day(oldest) if oldest else raw_cutoff
    while day < raw_cutoff:
        label = day.date().isoformat()
        rows = PriceSnapshot.objects.filter(t__gte=day, t__lt=day + DAY)
        if not rows.exists():
            pass
        elif safe_until is None or safe_until < day + DAY:
            report.skipped_days.append(label)
        else:
            if archive_dir:
                report.archived.append(_archive(rows, Path(archive_dir) / f"prices-raw-{label}.csv.gz"))
            with transaction.atomic():
                report.raw_rows += rows.delete()[0]
            report.raw_days.append(label)
        day += DAY

    history_cutoff = _day(now - timedelta(days=settings.HISTORY_RETENTION_DAYS))
    oldest_bar = HourlyPrice.objects.filter(t__lt=history_cutoff).order_by("t").values_list("t", flat=True).first()
    day = _day(oldest_bar) if oldest_bar else history_cutoff
    while day < history_cutoff:
        bars = HourlyPrice.objects.filter(t__gte=day, t__lt=day + DAY)
        if not bars.exists():
            day += DAY
            continue
        if archive_dir:
            report.archived.append(_archive(bars, Path(archive_dir) / f"prices-hourly-{day.date().isoformat()}.csv.gz"))
        with transaction.atomic():
            report.hourly_rows += bars.delete()[0]
        day += DAY

    with transaction.atomic():
        report.other_rows += Candle.objects.filter(interval__in=_SHORT_INTERVALS, t__lt=raw_cutoff).delete()[0]
        report.other_rows += Candle.objects.filter(t__lt=history_cutoff).exclude(interval="1d").delete()[0]
        report.other_rows += GlobalSnapshot.objects.filter(t__lt=history_cutoff).delete()[0]
        report.other_rows += GlobalDefiSnapshot.objects.filter(t__lt=history_cutoff).delete()[0]
        report.other_rows += TrendingSnapshot.objects.filter(t__lt=raw_cutoff).delete()[0]
        # Daily TVL is served up to 365 days back (the API's longest range).
        report.other_rows += ProtocolTVLPoint.objects.filter(t__lt=_day(now - TVL_RETENTION)).delete()[0]
    cache.bump("history", "ohlcv", "trending", "defi")
    return report


def _archive(queryset, path: Path) -> str:
    """Write the rows as gzip CSV (appending if the day was archived before), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = [f.attname for f in queryset.model._meta.concrete_fields if f.name != "id"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if not path.exists():
        writer.writerow(fields)
    for row in queryset.order_by("t").values_list(*fields).iterator(chunk_size=5000):
        writer.writerow([value.isoformat() if isinstance(value, datetime) else value for value in row])
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as out:
        if path.exists():
            out.write(path.read_bytes())
        with gzip.GzipFile(fileobj=out, mode="wb") as gz:
            gz.write(buffer.getvalue().encode())
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return str(path)

"""Writes for the fear & greed index (news articles are written by sentiment.news)."""

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction

from cryptodt import data_cache as cache
from providers import router
from providers import validation as v
from providers.records import FearGreedPoint as FearGreedRecord
from providers.steps import StepResult, run_step
from sentiment.models import FearGreedPoint


def ingest_fear_greed(*, points: Sequence[FearGreedRecord], source: str) -> int:
    rows = {}
    for point in points:
        if not isinstance(point.value, int) or not 0 <= point.value <= 100:
            raise v.InvalidRecord(f"fear & greed value out of 0..100: {point.value!r}")
        t = v.moment(point.t, "fear & greed time")
        rows[t] = FearGreedPoint(
            t=t,
            value=point.value,
            classification=v.text(point.classification, "classification", max_length=40),
            source=source,
        )
    with transaction.atomic():
        FearGreedPoint.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["t"],
            update_fields=["value", "classification", "source"],
        )
    cache.bump("fear_greed")
    return len(rows)


def collect_fear_greed(*, limit: int = 2, timeout: float | None = None) -> StepResult:
    """Latest fear & greed values; a larger ``limit`` backfills (up to 365 days)."""

    def step():
        fetched = router.fetch_fear_greed(limit=limit, timeout=timeout)
        return ingest_fear_greed(points=fetched.data, source=fetched.provider), fetched.provider

    return run_step("fear & greed", step)


def fill_fear_greed(*, days: int) -> None:
    """Before a read: one fetch with a short timeout when nothing is stored yet."""
    if not FearGreedPoint.objects.exists() and cache.first_attempt("fear-greed"):
        collect_fear_greed(limit=min(days, 365), timeout=settings.ON_DEMAND_TIMEOUT_S)

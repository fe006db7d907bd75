"""Coin categories (CoinGecko's coins/categories): stored whole on the schedule.

A category CoinGecko no longer lists is removed, so /api/v3/coins/categories/list answers
what CoinGecko answered last; a batch that fails validation is rejected whole."""

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import CoinCategory
from providers import validation as v
from providers.records import CoinCategory as CoinCategoryRecord


def ingest_categories(*, categories: Sequence[CoinCategoryRecord], source: str, now: datetime | None = None) -> int:
    if not categories:
        raise v.InvalidRecord("an empty category list would remove every category")
    t = v.moment(now or datetime.now(UTC), "categories time")
    rows = {}
    for item in categories:
        key = v.text(item.category_id, "category id", max_length=200)
        rows[key] = CoinCategory(
            category_id=key,
            name=v.text(item.name, f"{key} name", max_length=200),
            market_cap=v.money(item.market_cap, f"{key} market cap"),
            market_cap_change_24h=v.money(item.market_cap_change_24h, f"{key} change", signed=True),
            volume_24h=v.money(item.volume_24h, f"{key} volume"),
            content=item.content,
            top_3_coins_id=list(item.top_3_coins_id),
            top_3_coins=list(item.top_3_coins),
            updated_at=item.updated_at,
            t=t,
            source=source[:32],
        )
    fields = [f.name for f in CoinCategory._meta.concrete_fields if f.name not in ("id", "category_id")]
    with transaction.atomic():
        CoinCategory.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["category_id"], update_fields=fields
        )
        CoinCategory.objects.exclude(category_id__in=list(rows)).delete()
    cache.bump("market")
    return len(rows)

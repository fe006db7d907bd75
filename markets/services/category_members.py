"""Which coins a CoinGecko category holds, fetched when /api/v3/coins/markets?category= asks.

Only CoinGecko knows the members, and one category is one coins/markets call from its monthly
budget, so they are not collected for every category on the schedule: the first request for
a category fetches its first page (top 250 by market cap) once, within CoinGecko's budget and
breaker, and again when the stored members are a day old. The rows that call returns are
stored like any listing (untracked coins get their price and market figures from it).
"""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import CategoryMembers, CoinCategory
from markets.services import ingest
from providers import router
from providers import validation as v

logger = logging.getLogger("providers.collect")

MEMBERS_MAX_AGE = timedelta(days=1)


def is_due(category: CoinCategory, *, now: datetime | None = None) -> bool:
    members = CategoryMembers.objects.filter(category=category).values_list("t", flat=True).first()
    return members is None or (now or datetime.now(UTC)) - members > MEMBERS_MAX_AGE


def fetch_members(*, category: CoinCategory) -> bool:
    try:
        fetched = router.fetch_category_markets(category.category_id, timeout=settings.ON_DEMAND_TIMEOUT_S)
    except router.AllProvidersFailed as exc:
        logger.info("on-demand members of category %s failed: %s", category.category_id, exc)
        return False
    try:
        with transaction.atomic():
            if fetched.data:
                ingest.ingest_market_rows(rows=fetched.data, source=fetched.provider, track=False)
            coin_ids = list(dict.fromkeys(row.coin_id for row in fetched.data))
            CategoryMembers.objects.update_or_create(
                category=category,
                defaults={
                    "coin_ids": coin_ids,
                    "t": v.moment(datetime.now(UTC), "members time"),
                    "source": fetched.provider,
                },
            )
    except v.InvalidRecord as exc:
        logger.info("members of category %s rejected: %s", category.category_id, exc)
        return False
    cache.bump("market")
    return True

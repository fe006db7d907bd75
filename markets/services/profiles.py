"""Coin profiles (CoinGecko's coins/{id} description): fetched on first request, then stored.

The /api/v3/coins/{id} view calls ``ensure_profile`` before it reads, so the read path stays
a pure query. One attempt per coin per cooldown (a burst of requests costs one provider call),
inside CoinGecko's budget; a failed fetch leaves the answer to what storage already has.
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches

from markets.models import Coin, CoinProfile
from providers import router
from providers.validation import InvalidRecord

logger = logging.getLogger(__name__)
_COOLDOWN_S = 300


def ensure_profile(*, coin: Coin) -> bool:
    """True when a profile is stored (already, or fetched now)."""
    if CoinProfile.objects.filter(coin=coin).exists():
        return True
    if not caches["default"].add(f"on-demand:profile:{coin.pk}", 1, _COOLDOWN_S):
        return False
    try:
        fetched = router.fetch_coin_profile(coin.coin_id, timeout=settings.ON_DEMAND_TIMEOUT_S)
    except (router.AllProvidersFailed, InvalidRecord) as exc:
        logger.info("on-demand profile for %s failed: %s", coin.coin_id, exc)
        return False
    if fetched.data.coin_id != coin.coin_id:
        logger.info("profile for %s answered %s; not stored", coin.coin_id, fetched.data.coin_id)
        return False
    CoinProfile.objects.update_or_create(
        coin=coin,
        defaults={"fields": fetched.data.fields, "fetched_at": datetime.now(UTC), "source": fetched.provider},
    )
    return True

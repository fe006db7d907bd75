"""Reads: tiers, rates and a user's keys."""

import functools

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import caches
from django.db.models import QuerySet

from accounts.models import ApiKey, Tier

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def tier_of(*, user: AbstractBaseUser | AnonymousUser | None) -> Tier:
    if user is None or not user.is_authenticated:
        return Tier.ANONYMOUS
    # select_related("profile") by the authenticators makes this free; a user with no
    # Profile row is on the default tier.
    profile = getattr(user, "profile", None)
    return Tier(profile.tier) if profile is not None else Tier.FREE


# The setting that holds each limited tier's rate; the others are unlimited.
_RATE_SETTINGS = {Tier.ANONYMOUS: "RATE_ANON", Tier.FREE: "RATE_FREE", Tier.PRO: "RATE_PRO"}


def rate_of(*, tier: Tier) -> tuple[int, int] | None:
    """(requests, window seconds) for a tier; None means unlimited. Read on every charge,
    so only the tier's own setting is read, and its parse is memoised."""
    name = _RATE_SETTINGS.get(tier)
    return None if name is None else parse_rate(getattr(settings, name))


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """``50/m`` (cryptodt.env.envrate validated it) -> (50, 60)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIOD_SECONDS[period]


def limit_per_minute(*, tier: Tier) -> int | None:
    rate = rate_of(tier=tier)
    if rate is None:
        return None
    count, seconds = rate
    return round(count * 60 / seconds)


def api_keys_of(*, user: AbstractBaseUser) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(user=user).order_by("-created")


def api_key_by_prefix(*, prefix: str) -> ApiKey | None:
    """The key with its user and profile. Every request with an API key asks, so the row
    is kept in the "shared" cache (every process sees one copy, and accounts.signals
    drops it when the key, its user or their profile changes). Unknown prefixes are not
    cached: guessed prefixes must not be able to fill the cache."""
    cache = caches["shared"]
    api_key = cache.get(_cache_key(prefix))
    if api_key is None:
        # The prefix is unique, so LIMIT 1 needs no ORDER BY.
        found = ApiKey.objects.select_related("user", "user__profile").filter(prefix=prefix)[:1]
        api_key = next(iter(found), None)
        if api_key is not None:
            cache.set(_cache_key(prefix), api_key, settings.API_KEY_CACHE_S)
    return api_key


def forget_api_keys(prefixes: list[str]) -> None:
    caches["shared"].delete_many([_cache_key(prefix) for prefix in prefixes])


def _cache_key(prefix: str) -> str:
    return f"accounts:api-key:{prefix}"

"""Per-provider request budgets (per minute and per calendar month, UTC), counted in the
"shared" cache so every process spends from the same purse.

Binance counts request weight, so a call spends its weight; every other provider spends
1 per call. ``spend`` refuses before the request is made, so the plan can never overrun
a free tier; a provider's 429 or 418 (``cool_down``) blocks it until its Retry-After.
"""

from datetime import UTC, datetime

from django.core.cache import caches

from providers import breaker, config
from providers.errors import Blocked, BudgetExhausted, RateLimited


def _cache():
    return caches["shared"]


def _windows() -> tuple[str, str]:
    moment = datetime.fromtimestamp(breaker.clock(), tz=UTC)
    return moment.strftime("%Y%m%d%H%M"), moment.strftime("%Y%m")


def _keys(name: str) -> tuple[str, str]:
    minute, month = _windows()
    return f"providers:budget:{name}:m:{minute}", f"providers:budget:{name}:mo:{month}"


def usage(name: str) -> dict:
    minute_key, month_key = _keys(name)
    limits = config.provider(name)
    values = _cache().get_many([minute_key, month_key])
    return {
        "per_minute": {"used": values.get(minute_key, 0), "limit": limits.budget_per_minute},
        "per_month": {"used": values.get(month_key, 0), "limit": limits.budget_per_month},
    }


def _add(key: str, amount: int, ttl: int) -> int:
    cache = _cache()
    if cache.add(key, amount, ttl):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, ttl)
        return amount


def spend(name: str, endpoint: str, weight: int = 1) -> None:
    block = blocked(name)
    if block:
        raise Blocked(name, endpoint, f"blocked here: {block['reason']} (next try in {block['retry_in_s']}s)")
    blocked_until = _cache().get(f"providers:cooldown:{name}")
    if blocked_until and blocked_until > breaker.clock():
        wait = blocked_until - breaker.clock()
        raise RateLimited(name, endpoint, f"rate limited by the provider for {wait:.0f}s more", retry_after=wait)
    limits = config.provider(name)
    current = usage(name)
    if current["per_minute"]["used"] + weight > limits.budget_per_minute:
        raise BudgetExhausted(name, endpoint, f"per-minute budget {limits.budget_per_minute} used up")
    if limits.budget_per_month and current["per_month"]["used"] + weight > limits.budget_per_month:
        raise BudgetExhausted(name, endpoint, f"monthly budget {limits.budget_per_month} used up")
    minute_key, month_key = _keys(name)
    _add(minute_key, weight, 120)
    _add(month_key, weight, 32 * 86400)


def observe_used(name: str, used_this_minute: int) -> None:
    """The provider told us how much of this minute's budget is used (Binance's
    X-MBX-USED-WEIGHT-1M, which also counts other programs on the same IP)."""
    minute_key, _ = _keys(name)
    current = _cache().get(minute_key, 0)
    if used_this_minute > current:
        _cache().set(minute_key, used_this_minute, 120)


def cool_down(name: str, seconds: float) -> None:
    _cache().set(f"providers:cooldown:{name}", breaker.clock() + seconds, int(seconds) + 5)


def block(name: str, reason: str, seconds: float) -> None:
    """The provider refused this address (451/403): do not ask again for ``seconds``."""
    until = breaker.clock() + seconds
    _cache().set(f"providers:blocked:{name}", {"until": until, "reason": reason[:200]}, int(seconds) + 5)


def blocked(name: str) -> dict | None:
    """``{"reason", "until", "retry_in_s"}`` while the provider is blocked here, else None."""
    raw = _cache().get(f"providers:blocked:{name}")
    if not raw or raw["until"] <= breaker.clock():
        return None
    return {**raw, "retry_in_s": int(raw["until"] - breaker.clock())}


def cooling_down(name: str) -> float:
    """Seconds left of a 429/418 wait (0 when none)."""
    until = _cache().get(f"providers:cooldown:{name}") or 0
    return max(until - breaker.clock(), 0.0)


def unblock(name: str) -> None:
    _cache().delete_many([f"providers:blocked:{name}", f"providers:cooldown:{name}"])

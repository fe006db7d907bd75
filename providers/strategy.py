"""Which provider to ask first for a capability: the operator's order, then a strategy.

- priority: the order as configured (capability order, then each provider's priority);
- round_robin: the same order, its start rotated by one on every call (shared counter);
- fastest: healthy providers by moving-average latency (unmeasured ones first, so they
  get measured), then the unhealthy ones;
- least_used: by the share of this minute's budget already spent.
"""

from django.core.cache import caches

from providers import breaker, budget, config, stats


def ordered(capability: str) -> list[str]:
    setting = config.capability(capability)
    enabled = [name for name in setting.order if config.provider(name).enabled]
    names = sorted(enabled, key=lambda name: config.provider(name).priority)
    if setting.strategy == "round_robin" and names:
        turn = _next_turn(capability)
        return names[turn % len(names) :] + names[: turn % len(names)]
    if setting.strategy == "fastest":
        healthy = [n for n in names if breaker.read(n).state == breaker.CLOSED]
        healthy.sort(key=lambda n: stats.latency_ewma(n) or 0.0)
        return healthy + [n for n in names if n not in healthy]
    if setting.strategy == "least_used":
        return sorted(names, key=_minute_share)
    return names


def _next_turn(capability: str) -> int:
    cache = caches["shared"]
    key = f"providers:rr:{capability}"
    if cache.add(key, 0, None):
        return 0
    return cache.incr(key)


def _minute_share(name: str) -> float:
    minute = budget.usage(name)["per_minute"]
    return minute["used"] / minute["limit"] if minute["limit"] else 0.0

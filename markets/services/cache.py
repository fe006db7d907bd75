"""Versioned response-data cache: new data bumps a kind's version, so every process sees it.

The version lives in the "shared" cache (agreed on by the web process and the task
cluster); the payloads live in "default" under a key that includes the version, so a
collector landing new prices makes the web process's cached payloads unreachable at once.
"""

import hashlib
from collections.abc import Callable

from django.core.cache import caches

KINDS = ("prices", "market", "trending", "ohlcv", "history", "defi", "fear_greed", "news")


def _version(kind: str) -> int:
    return caches["shared"].get(f"data-version:{kind}") or 0


def bump(*kinds: str) -> None:
    """Called by services after a batch commits."""
    shared = caches["shared"]
    for kind in kinds:
        key = f"data-version:{kind}"
        try:
            shared.incr(key)
        except ValueError:
            shared.set(key, 1, None)


def cached(kind: str, params: tuple, ttl: int, build: Callable[[], dict]) -> dict:
    digest = hashlib.sha1(repr(params).encode(), usedforsecurity=False).hexdigest()
    key = f"data:{kind}:{_version(kind)}:{digest}"
    cache = caches["default"]
    payload = cache.get(key)
    if payload is None:
        payload = build()
        cache.set(key, payload, ttl)
    return payload

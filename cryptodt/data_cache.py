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


def _key(prefix: str, kind: str, params: tuple) -> str:
    digest = hashlib.sha1(repr(params).encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{kind}:{_version(kind)}:{digest}"


def cached(kind: str, params: tuple, ttl: int, build: Callable[[], dict]) -> dict:
    key = _key("data", kind, params)
    cache = caches["default"]
    payload = cache.get(key)
    if payload is None:
        payload = build()
        cache.set(key, payload, ttl)
    return payload


def cached_rendered(kind: str, request_key: tuple, ttl: int, render: Callable[[], bytes]) -> bytes:
    """The finished response body for one exact request (path, query string, Accept).

    A hit skips query validation, coin resolution and encoding: an answer is only stored
    after ``render`` succeeded, and the same request text validates the same way, so
    serving its bytes again is what running the view would produce until the kind's data
    changes (new version) or ``ttl`` passes. Bytes also unpickle far faster than the
    payload's dicts of Decimals.
    """
    key = _key("answer", kind, request_key)
    cache = caches["default"]
    body = cache.get(key)
    if body is None:
        body = render()
        cache.set(key, body, ttl)
    return body


def first_attempt(key: str, *, cooldown_s: int = 60) -> bool:
    """True once per cooldown per key: a burst of requests for data nobody collects makes
    one upstream fetch."""
    return caches["default"].add(f"on-demand:{key}", 1, cooldown_s)


def rendered_hit(kind: str, request_key: tuple) -> bytes | None:
    """The body ``cached_rendered`` stored for this exact request, or None (cryptodt.fastpath)."""
    return caches["default"].get(_key("answer", kind, request_key))

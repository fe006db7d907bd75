"""Versioned response-data cache: new data bumps a kind's version, so every process sees it.

The version is a counter of cryptodt.counters (Redis, or shared memory in the embedded
profile), agreed on by every web process and the task cluster and read per request for
the price of a memory read; the payloads live in "default" (per process without Redis)
under a key that includes the version, so a collector landing new prices makes every web
process's cached payloads unreachable at once.

Rendered answers (finished response bodies) are kept in this process as plain bytes, under
the same versioned key: the fast path (cryptodt.fastpath) reads them with one dict lookup,
with no pickling, key hashing or cache round trip. With Redis they are also shared through
"default", so a body one process rendered is not rendered again by the others.
"""

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import caches

from cryptodt import counters
from cryptodt.cache import ENTRY_OVERHEAD

KINDS = ("prices", "market", "trending", "ohlcv", "history", "defi", "fear_greed", "news")


def version(kind: str) -> int:
    """The kind's data version: it changes whenever new data of the kind commits
    (counters.generation: never a number an earlier counter had). 0 when the counters are
    out of reach: nothing is served from this process's rendered answers then, since
    nothing tells whether they are current."""
    return counters.generation(f"data-version:{kind}", now=int(time.time())) or 0


def aversion(kind: str) -> Awaitable[int]:
    """``version`` for the event loop (cryptodt.fastpath): an awaitable, queued at once so
    it shares a round trip with the calls made before the next await; it raises
    counters.Unavailable when the counters do not answer (no answer can be known current
    then, so Django decides). 0 for a counter not started yet: Django's read starts it."""
    return counters.aget(f"data-version:{kind}", now=int(time.time()), default=0)


def bump(*kinds: str) -> None:
    """Called by services after a batch commits."""
    now = int(time.time())
    for kind in kinds:
        counters.advance(f"data-version:{kind}", now=now)


def _key(prefix: str, kind: str, params: tuple, data_version: int | None = None) -> str:
    digest = hashlib.sha1(repr(params).encode(), usedforsecurity=False).hexdigest()
    return f"{prefix}:{kind}:{version(kind) if data_version is None else data_version}:{digest}"


def cached(kind: str, params: tuple, ttl: int, build: Callable[[], dict]) -> dict:
    return caches["default"].get_or_set(_key("data", kind, params), build, ttl)


class QueryParams(dict):
    """A query string's parameters, name -> values in order: what cryptodt.fastpath needs
    of Django's QueryDict (``lists``, ``get`` giving the last value), for a tenth of its cost."""

    def get(self, name, default=None):
        values = dict.get(self, name)
        return values[-1] if values else default

    def lists(self):
        return self.items()


def parse_query(query_string: str, *, max_fields: int | None) -> QueryParams:
    """The parse QueryDict makes of a query string (blank values kept, UTF-8, at most
    ``max_fields`` fields: ValueError beyond)."""
    params = QueryParams()
    for name, value in parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", max_num_fields=max_fields):
        params.setdefault(name, []).append(value)
    return params


def canonical_query(params) -> tuple:
    """One key for one question: parameters sorted by name, and comma-separated lists
    (``symbols=ETH,BTC``) with their items sorted, so every order of the same request
    shares one entry. Views answer a list in an order of their own (prices: by symbol),
    never the caller's, so the shared body is right for each order. Items are kept as
    written (no case folding, no de-duplication): only what validates alike shares."""
    canonical = []
    for name, values in sorted(params.lists()):
        items = []
        for value in values:
            if "," in value:
                value = ",".join(sorted(value.split(",")))
            items.append(value)
        canonical.append((name, tuple(items)))
    return tuple(canonical)


def cached_rendered(kind: str, request_key: tuple, ttl: int, render: Callable[[], bytes]) -> bytes:
    """The finished response body for one request (path, canonical query, Accept).

    A hit skips query validation, coin resolution and encoding: an answer is only stored
    after ``render`` succeeded, and the same request validates the same way, so serving
    its bytes again is what running the view would produce until the kind's data changes
    (new version) or ``ttl`` passes.
    """
    data_version = version(kind)
    if not data_version:
        return render()
    body = _answers.get((kind, data_version, request_key))
    if body is None:
        if settings.REDIS_URL:
            body = caches["default"].get_or_set(_key("answer", kind, request_key, data_version), render, ttl)
        else:
            body = render()
        _answers.put((kind, data_version, request_key), body, ttl)
    return body


def first_attempt(key: str, *, cooldown_s: int = 60) -> bool:
    """True once per cooldown per key: a burst of requests for data nobody collects makes
    one upstream fetch."""
    now = int(time.time())
    return counters.incr(f"on-demand:{key}", 1, expires_at=now + cooldown_s, now=now) == 1


def rendered_hit(kind: str, request_key: tuple, data_version: int | None = None) -> bytes | None:
    """The body ``cached_rendered`` stored in this process for this exact request, or None
    (cryptodt.fastpath, which may have read the version already)."""
    data_version = version(kind) if data_version is None else data_version
    return _answers.get((kind, data_version, request_key)) if data_version else None


def forget_answers() -> None:
    """Drop this process's rendered answers (tests, which reset the versions they are keyed by)."""
    _answers.clear()


class _Answers:
    """(kind, version, request key) -> body, at most ANSWER_CACHE_MAX_BYTES in all; the
    entries stored first go first. Reads take no lock (one dict lookup is atomic); writes,
    which follow a render, do."""

    def __init__(self):
        self.entries: dict[tuple, tuple[float, bytes, int]] = {}
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: tuple, body: bytes, ttl: int) -> None:
        # The key's repr stands in for its size: a query string can be far longer than its body.
        cost = len(body) + len(repr(key)) + ENTRY_OVERHEAD
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old[2]
            self.entries[key] = (time.monotonic() + ttl, body, cost)
            self.size += cost
            limit = settings.ANSWER_CACHE_MAX_BYTES
            while self.size > limit and self.entries:
                self.size -= self.entries.pop(next(iter(self.entries)))[2]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_answers = _Answers()

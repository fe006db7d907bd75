"""The two cache backends cryptodt configures, each bounded so a failing or flooded cache
degrades the service instead of taking it down.

``RedisCache`` is django-redis (settings give it a socket timeout of at most
REDIS_TIMEOUT_S and IGNORE_EXCEPTIONS, so a stopped or frozen Redis reads as a miss and
the caller falls back to the database). On top of that, one failed call opens a short
breaker: for REDIS_RETRY_S every call is a miss at once instead of another wait, so a
request that would make six cache calls pays one timeout, not six. django-redis's
``incr`` is already one atomic round trip (a Lua EXISTS + INCRBY), which the rate
limiter's counters rely on.

``BoundedLocMemCache`` is Django's in-process cache with a cap in bytes as well as in
entries: LocMemCache stores pickled bytes, so their length is what the cache holds.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class _Breaker:
    def __init__(self, retry_s: float):
        self.retry_s = retry_s
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self, exc: Exception) -> None:
        if not self.is_open():
            logger.warning("redis unavailable (%s); serving without it for %.1fs", exc.__class__.__name__, self.retry_s)
        self.open_until = time.monotonic() + self.retry_s


class _GuardedClient:
    """Wraps django-redis's client: calls fail fast while the breaker is open."""

    def __init__(self, client, breaker: _Breaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        breaker = self._breaker

        def call(*args, **kwargs):
            if breaker.is_open():
                raise ConnectionInterrupted(connection=None)
            try:
                return attribute(*args, **kwargs)
            except ConnectionInterrupted as exc:
                breaker.trip(exc.__cause__ or exc)
                raise

        return call


# One breaker per Redis server: "default" and "shared" are two backends on the same Redis,
# and a request that uses both must pay one timeout, not one per backend.
_BREAKERS: dict[str, _Breaker] = {}


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self.breaker = _BREAKERS.setdefault(str(server), _Breaker(float(options.get("RETRY_S", 2.0))))
        self._guarded = None

    @property
    def client(self):
        if self._guarded is None:
            self._guarded = _GuardedClient(super().client, self.breaker)
        return self._guarded


class BoundedLocMemCache(LocMemCache):
    """OPTIONS: MAX_ENTRIES (Django's) and MAX_BYTES (keys plus pickled values)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 64 * 1024 * 1024))
        self._sizes = _SIZES.setdefault(name, {})
        self._bytes = _BYTES.setdefault(name, [0])

    @property
    def size_bytes(self) -> int:
        return self._bytes[0]

    def _set(self, key, value, timeout=None):
        size = len(key) + len(value) + ENTRY_OVERHEAD
        if size > self._max_bytes:
            return  # larger than the whole cache: not kept
        self._bytes[0] += size - self._sizes.get(key, 0)
        self._sizes[key] = size
        super()._set(key, value, timeout)
        while self._bytes[0] > self._max_bytes and self._cache:
            oldest, _ = self._cache.popitem(last=True)  # LocMemCache keeps the least recent last
            self._expire_info.pop(oldest, None)
            self._forget(oldest)

    def _delete(self, key):
        deleted = super()._delete(key)
        if deleted:
            self._forget(key)
        return deleted

    def _cull(self):
        before = set(self._cache)
        super()._cull()
        for key in before - set(self._cache):
            self._forget(key)

    def _forget(self, key) -> None:
        self._bytes[0] -= self._sizes.pop(key, 0)

    def clear(self):
        super().clear()
        with self._lock:
            self._sizes.clear()
            self._bytes[0] = 0


# What one entry costs beyond its key's and value's lengths: the str and bytes objects'
# headers, the OrderedDict node and the dict slots (values, expiry, size); ~250 bytes
# measured with tracemalloc for 5,000 entries of 1 kB. Without it MAX_BYTES undercounted
# small answers, and 20,000 of them were ~5 MB nobody had budgeted.
ENTRY_OVERHEAD = 256

# Shared per LOCATION like LocMemCache's own storage, so every handle on one cache agrees.
_SIZES: dict[str, dict[str, int]] = {}
_BYTES: dict[str, list[int]] = {}

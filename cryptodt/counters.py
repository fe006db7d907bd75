"""Exact counters every process of one installation agrees on: rate-limit windows
(accounts.ratelimit), data versions (cryptodt.data_cache), on-demand cool-downs.

With REDIS_URL they are Redis keys in the "default" cache, under its key format (KEY_PREFIX
and version) with the integer stored as is, so django-redis reads them too; an increment
is one Lua script (cryptodt.redis_loop.INCR_SCRIPT: INCRBY, and the expiry on the first
increment), one round trip. On the event loop (cryptodt.fastpath) ``aget``/``aincr``
send every call of one loop tick in one pipeline (cryptodt.redis_loop). Without it (the
embedded profile) they live in shared memory: a file in DATA_DIR (``counters.shm``) that
every process on this machine maps — the web workers, the task cluster, management
commands — so an increment in one is what the
next read in any other sees, at once and exactly. That is what lets the embedded profile
run more than one web process (bin/serve.py, WEB_WORKERS) without each counting its own
limits, and what lets the fast path (cryptodt.fastpath) read a data version for the
price of a memory read instead of a file read.

The shared table: SLOTS slots of (16-byte digest of the key, second it expires, value),
open addressing, a key looked for within PROBE slots of its hash. An expired slot is free
for reuse. When all PROBE slots are live (a flood of distinct callers), the one expiring
first is given up, as a cache culls an entry: that caller's count starts again. Every
operation holds one lock, an flock on the file (processes) plus a thread lock (flock does
not exclude threads sharing a descriptor), for a few microseconds; a waiter is woken by
the kernel as soon as it is free, not by polling.
"""

import asyncio
import fcntl
import functools
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Awaitable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from cryptodt import redis_loop
from cryptodt.redis_loop import Unavailable

__all__ = ["Unavailable", "advance", "aget", "aincr", "clear", "delete", "generation", "get", "incr"]

NEVER = 2**62  # expiry of counters that never expire (data versions)
SLOTS = 1 << 16
PROBE = 32
_SLOT = struct.Struct("<16sqq")  # digest, expires (unix seconds), value
_HEADER = 64
_MAGIC = b"cdtcnt01"
_EMPTY = bytes(16)


def incr(key: str, amount: int = 1, *, expires_at: int | None, now: int) -> int | None:
    """The counter after adding ``amount``; a new (or expired) counter starts at ``amount``
    and lives until ``expires_at`` (None: never). None when the store is unavailable."""
    if settings.REDIS_URL:
        return _redis_incr(key, amount, expires_at, now)
    return _table().incr(key, amount, NEVER if expires_at is None else expires_at, now)


def get(key: str, *, now: int) -> int | None:
    """The counter's value, None when it does not exist (or expired)."""
    if settings.REDIS_URL:
        return caches["default"].get(key)
    return _table().get(key, now)


def generation(key: str, *, now: int) -> int | None:
    """A never-expiring counter that only ever moves on (data versions, the credentials
    version). One that does not exist yet (a fresh install, or a Redis that lost its keys)
    starts from the clock, in microseconds, so its numbers never repeat an earlier
    counter's, under which something may still be kept in a process. None when the store
    is unavailable."""
    value = get(key, now=now)
    if value is None:
        value = incr(key, time.time_ns() // 1000, expires_at=None, now=now)
    return value


def advance(key: str, *, now: int) -> int | None:
    """Moves a ``generation`` counter on; None when the store is unavailable."""
    value = incr(key, 1, expires_at=None, now=now)
    if value == 1:  # it did not exist: on from the clock, as ``generation`` starts one
        value = incr(key, time.time_ns() // 1000, expires_at=None, now=now)
    return value


def delete(key: str) -> None:
    if settings.REDIS_URL:
        caches["default"].delete(key)
    else:
        _table().delete(key)


def clear() -> None:
    """Forget every shared-memory counter (tests; the Redis counters go with the cache)."""
    if not settings.REDIS_URL:
        _table().clear()


def aincr(key: str, amount: int = 1, *, expires_at: int | None, now: int) -> Awaitable[int]:
    """``incr`` for the event loop: an awaitable of the counter, Unavailable instead of None
    when the store is. The call is queued at once, so the calls made before the loop runs
    again share one round trip (cryptodt.redis_loop) without a task each."""
    if settings.REDIS_URL:
        client = _loop_client()
        return client.call("EVALSHA", redis_loop.INCR_SHA, 1, client.make_key(key), amount, _ttl(expires_at, now))
    return _ready(_table().incr(key, amount, NEVER if expires_at is None else expires_at, now))


def aget(key: str, *, now: int, default: int | None = None) -> Awaitable[int | None]:
    """``get`` for the event loop: an awaitable of the counter, ``default`` when it does
    not exist, Unavailable when the store does not answer (which ``get`` cannot tell apart
    from a missing counter with Redis)."""
    if settings.REDIS_URL:
        client = _loop_client()
        return client.read("GET", client.make_key(key), convert=lambda reply: default if reply is None else int(reply))
    value = _table().get(key, now)
    return _ready(default if value is None else value)


def _loop_client() -> redis_loop.LoopClient:
    url = settings.REDIS_URL
    found = redis_loop.current()
    if found is not None and found.url == url:
        return found
    # Looked up once per loop: the cache handle is per task in async code, and building one
    # (django-redis' __init__) cost more than the rest of the request.
    return redis_loop.client(url, timeout_s=settings.REDIS_TIMEOUT_S, cache=caches["default"])


def _ready(value) -> asyncio.Future:
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _ttl(expires_at: int | None, now: int) -> int:
    return 0 if expires_at is None else max(1, expires_at - now)


def _redis_incr(key: str, amount: int, expires_at: int | None, now: int) -> int | None:
    cache = caches["default"]
    if cache.breaker.is_open():
        return None
    try:
        client = cache.client.get_client(write=True)
        script = _state.get("script")
        if script is None or script.registered_client is not client:
            # redis-py's Script runs EVALSHA and loads the script on NOSCRIPT by itself.
            script = _state["script"] = client.register_script(redis_loop.INCR_SCRIPT)
        return int(script(keys=[cache.make_key(key)], args=[amount, _ttl(expires_at, now)]))
    except RedisError as exc:
        cache.breaker.trip(exc)
        return None
    except (ConnectionInterrupted, ValueError):  # the breaker opened by another thread; not a counter
        return None


class _Table:
    def __init__(self, path: str):
        self.pid = os.getpid()
        self.path = path
        self.lock = threading.Lock()
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = _HEADER + SLOTS * _SLOT.size
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            if os.fstat(self.fd).st_size != size or os.pread(self.fd, len(_MAGIC), 0) != _MAGIC:
                os.ftruncate(self.fd, 0)  # new, or another layout: start empty
                os.ftruncate(self.fd, size)
                os.pwrite(self.fd, _MAGIC, 0)
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.map = mmap.mmap(self.fd, size)

    def _find(self, digest: bytes, now: int) -> tuple[int, bool]:
        """(offset, live) of the key's slot, or of the slot it should take."""
        start = int.from_bytes(digest[:8], "little") & (SLOTS - 1)
        reusable, oldest, oldest_expiry = None, None, NEVER + 1
        for probe in range(PROBE):
            offset = _HEADER + ((start + probe) & (SLOTS - 1)) * _SLOT.size
            slot_digest, expires, _value = _SLOT.unpack_from(self.map, offset)
            if slot_digest == digest:
                return offset, expires >= now
            if slot_digest == _EMPTY:
                return (reusable if reusable is not None else offset), False
            if expires < now:
                reusable = offset if reusable is None else reusable
            elif expires < oldest_expiry:
                oldest, oldest_expiry = offset, expires
        return (reusable if reusable is not None else oldest), False

    def incr(self, key: str, amount: int, expires_at: int, now: int) -> int:
        digest = _digest(key)
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                offset, live = self._find(digest, now)
                if live:
                    _, expires, value = _SLOT.unpack_from(self.map, offset)
                    value += amount
                else:
                    expires, value = expires_at, amount
                _SLOT.pack_into(self.map, offset, digest, expires, value)
                return value
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def get(self, key: str, now: int) -> int | None:
        digest = _digest(key)
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                offset, live = self._find(digest, now)
                return _SLOT.unpack_from(self.map, offset)[2] if live else None
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def delete(self, key: str) -> None:
        digest = _digest(key)
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                offset, live = self._find(digest, 0)
                if live:  # expired at once; the slot stays taken so longer probe chains still hold
                    _SLOT.pack_into(self.map, offset, digest, -1, 0)
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def clear(self) -> None:
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                self.map[_HEADER:] = bytes(SLOTS * _SLOT.size)
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=4096)  # the same keys (a version, a caller's window) are asked for again and again
def _digest(key: str) -> bytes:
    digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
    return digest if digest != _EMPTY else b"\x01" + digest[1:]


_state: dict = {}


def _table() -> _Table:
    data_dir = settings.DATA_DIR
    table = _state.get("table")
    # A forked child opens its own descriptor: an flock is shared by descriptors that
    # come from one open, so parent and child would not exclude each other.
    if table is None or table.pid != os.getpid() or table.data_dir is not data_dir:
        table = _Table(str(Path(data_dir) / "counters.shm"))
        table.data_dir = data_dir
        _state["table"] = table
    return table

"""Exact counters every process of one installation agrees on: rate-limit windows
(accounts.ratelimit), data versions (cryptodt.data_cache), on-demand cool-downs.

With REDIS_URL they are Redis keys in the "default" cache (``add`` then ``incr``, each
atomic in Redis). Without it (the embedded profile) they live in shared memory: a file
in DATA_DIR (``counters.shm``) that every process on this machine maps — the web
workers, the task cluster, management commands — so an increment in one is what the
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

import fcntl
import functools
import hashlib
import mmap
import os
import struct
import threading
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

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


def delete(key: str) -> None:
    if settings.REDIS_URL:
        caches["default"].delete(key)
    else:
        _table().delete(key)


def clear() -> None:
    """Forget every shared-memory counter (tests; the Redis counters go with the cache)."""
    if not settings.REDIS_URL:
        _table().clear()


def _redis_incr(key: str, amount: int, expires_at: int | None, now: int) -> int | None:
    cache = caches["default"]
    timeout = None if expires_at is None else max(1, expires_at - now)
    for _ in range(2):
        if cache.add(key, amount, timeout):
            return amount
        try:
            return cache.incr(key, amount)
        except ValueError:  # expired between the two calls: add again
            continue
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


_state: dict[str, _Table] = {}


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

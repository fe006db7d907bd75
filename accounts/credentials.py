"""Verified API keys kept in each process, trusted only while one shared counter stands still.

A keyed request used to read its key row (a file-cache read and an unpickle, or a query)
every time, so that a revoke took effect at once. Here each process keeps what it verified
(sha256 of the whole presented key -> the row with its user and profile), stamped with
the "credentials version": a counter in cryptodt.counters (shared memory in the embedded
profile, a Redis key with REDIS_URL). Anything that decides authentication or tier
bumps it (accounts.signals: keys created, changed, revoked or deleted; users changed or
deleted; profiles), so the next request in every process finds its stamp stale and reads
the row again. Per request the cost is one counter read and one sha256.

The dictionary is keyed by the digest of the presented key, so a hit is itself the hash
check, and the raw key is never kept. Only keys that verified are stored: guessed keys
cannot fill it.

A JWT's user is kept the same way, by user id under the same version (a token's signature
and exp are still checked on every request): only users of correctly signed tokens that
were found active are stored.
"""

import logging
import pickle
import threading
import time
from dataclasses import dataclass, field

from cryptodt import counters

logger = logging.getLogger(__name__)

VERSION_KEY = "accounts:credentials-version"
MAX_ENTRIES = 10_000  # verified keys only; cleared whole when full, as a cache culls


@dataclass(eq=False, slots=True)
class Verified:
    """One verified key. ``api_key`` (with ``user`` and ``user.profile`` loaded) is shared
    by every request of this process that presents the key: read it, never change it.
    ``fresh()`` gives Django's path its own copies."""

    api_key: object
    version: int
    expires_at: float | None  # epoch seconds, checked on every request
    blob: bytes = field(repr=False)
    identity: object = None  # accounts.authentication.Identity, built once
    next_mark: float = 0.0  # time.monotonic() after which last_used is due again

    def fresh(self):
        api_key = pickle.loads(self.blob)  # noqa: S301  (bytes this process pickled itself)
        return api_key.user, api_key

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(eq=False, slots=True)
class VerifiedUser:
    """A JWT's user (with ``profile`` loaded) and tier, shared like Verified.api_key: read only."""

    user: object
    tier: object
    version: int


_verified: dict[str, Verified] = {}
_users: dict[tuple, VerifiedUser] = {}
_lock = threading.Lock()


def version() -> int | None:
    """The current credentials version; None when the counters are unavailable (then
    nothing cached is trusted)."""
    try:
        current = counters.generation(VERSION_KEY, now=int(time.time()))
    except Exception as exc:  # the counters being down makes every key a database read, not a 500
        logger.warning("credentials version unavailable: %s", exc.__class__.__name__)
        return None
    return current


def bump() -> None:
    """Every process's verified keys are stale from now on."""
    try:
        counters.advance(VERSION_KEY, now=int(time.time()))
    except Exception as exc:
        logger.error("credentials version not bumped (%s): cached keys stay valid elsewhere", exc.__class__.__name__)
    forget()  # this process at least drops them at once


def cached(digest: str, version: int | None) -> Verified | None:
    return _current(_verified, digest, version)


def store(digest: str, api_key, *, version: int | None, expires_at: float | None) -> Verified:
    """The key, verified; kept for later requests only when the version is known."""
    blob = pickle.dumps(api_key, pickle.HIGHEST_PROTOCOL)
    entry = Verified(api_key=api_key, version=-1 if version is None else version, expires_at=expires_at, blob=blob)
    if version is not None:
        _keep(_verified, digest, entry)
    return entry


def cached_user(user_id: tuple, version: int | None) -> VerifiedUser | None:
    return _current(_users, user_id, version)


def store_user(user_id: tuple, user, tier, *, version: int | None) -> None:
    """A JWT's user, verified (kept only when the version is known)."""
    if version is not None:
        _keep(_users, user_id, VerifiedUser(user=user, tier=tier, version=version))


def _current(table: dict, key, version: int | None):
    entry = table.get(key)
    return entry if entry is not None and version is not None and entry.version == version else None


def _keep(table: dict, key, entry) -> None:
    with _lock:
        if len(table) >= MAX_ENTRIES:
            table.clear()
        table[key] = entry


def forget() -> None:
    with _lock:
        _verified.clear()
        _users.clear()

"""The audit log, written off the request's critical path.

Each authenticated API request appends one entry to an in-process buffer; the buffer
is written with one bulk INSERT once it is AUDIT_FLUSH_INTERVAL_S old or AUDIT_BATCH
long, from Django's request_finished signal — that is, after the response has been
handed to the client — and once more when the process exits.

Why not a django-q2 task per request: enqueuing is itself a write (a row in the ORM
broker on the embedded profile), so it would put a write back on every request. Why
not a background thread: a thread holding its own database connection would contend
with the request threads for SQLite's single write lock and outlive test databases.
The cost of this design: entries buffered in a process that is killed (SIGKILL, OOM)
are lost — at most AUDIT_FLUSH_INTERVAL_S seconds' worth.
"""

import atexit
import logging
import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import connection

from accounts.models import AuditEntry

logger = logging.getLogger(__name__)

# A flood of requests while the database is unavailable must not eat the memory.
MAX_BUFFERED = 50_000

_lock = threading.Lock()
# Entries are tagged with the database their request was served from, and only written
# there: a process whose database settings change (a test run swapping in its test
# database and back) never writes one database's entries into another.
_buffer: list[tuple[str, AuditEntry]] = []
_oldest: float | None = None


def _database_name() -> str:
    return str(connection.settings_dict.get("NAME"))


def record(
    *,
    user_id: int | None,
    username: str,
    key_prefix: str,
    method: str,
    endpoint: str,
    status: int,
    latency_ms: float,
    at: datetime,
) -> None:
    global _oldest
    entry = AuditEntry(
        created=at,
        user_id=user_id,
        username=username[:150],
        key_prefix=key_prefix[:16],
        method=method[:10],
        endpoint=endpoint[:255],
        status=status,
        latency_ms=round(latency_ms, 2),
    )
    with _lock:
        if len(_buffer) >= MAX_BUFFERED:
            return
        _buffer.append((_database_name(), entry))
        if _oldest is None:
            _oldest = time.monotonic()


def flush_due() -> bool:
    with _lock:
        if not _buffer:
            return False
        return len(_buffer) >= settings.AUDIT_BATCH or time.monotonic() - _oldest >= settings.AUDIT_FLUSH_INTERVAL_S


def flush() -> int:
    """Write every buffered entry now; returns how many were written."""
    global _oldest
    with _lock:
        pending = list(_buffer)
        _buffer.clear()
        _oldest = None
    here = _database_name()
    entries = [entry for database, entry in pending if database == here]
    if not entries:
        return 0
    try:
        AuditEntry.objects.bulk_create(entries, batch_size=500)
    except Exception as exc:  # database down, or no database access here: the request must not fail for it
        logger.warning("audit: %d entries could not be written: %s", len(entries), exc.__class__.__name__)
        return 0
    return len(entries)


def discard() -> None:
    global _oldest
    with _lock:
        _buffer.clear()
        _oldest = None


def pending() -> int:
    with _lock:
        return len(_buffer)


def flush_if_due(**_signal_kwargs) -> None:
    # Only in autocommit: written inside a transaction that is later rolled back, the
    # entries would vanish. Requests end outside any transaction (ATOMIC_REQUESTS is
    # off); a test's wrapping transaction keeps the flush out of its query counts.
    if not connection.in_atomic_block and flush_due():
        flush()


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the interpreter is going away; nothing left to tell
        logger.warning("audit: final flush failed")


atexit.register(_flush_at_exit)

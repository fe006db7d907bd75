"""The audit log, written off the request path and never lost.

A request appends its entry to an in-process list (no I/O). A writer thread, started by
the server (cryptodt/asgi.py), moves that list every AUDIT_SPOOL_INTERVAL_S into this
process's append-only spool file under AUDIT_SPOOL_DIR, and writes the spool to the
database once it is AUDIT_FLUSH_INTERVAL_S old or AUDIT_BATCH long; the spool is
emptied only after the INSERT committed. So:

- a database that is locked or down delays entries, it does not drop them: they wait in
  the spool (on disk) and are written when it is back;
- a hard kill (SIGKILL, OOM) loses at most the last AUDIT_SPOOL_INTERVAL_S: the next
  process to start finds the dead one's spool (no process holds its lock any more) and
  writes it;
- each entry carries a unique ``entry_id`` and is inserted with ``ignore_conflicts``, so
  an entry written twice (a crash between commit and emptying the spool, two processes
  replaying one orphan) is stored once.

The same writer writes API keys' last_used marks (``mark_key_used``: at most one per key
and process a minute, coalesced), so a keyed read never waits for an UPDATE. A mark is
not spooled: a kill loses at most the last minute of a "seen recently" mark.

Without the writer (tests, management commands) ``flush()`` does the same steps in the
calling thread, and once more when the process exits.
"""

import atexit
import fcntl
import json
import logging
import os
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.dateparse import parse_datetime

from accounts.models import ApiKey, AuditEntry

logger = logging.getLogger(__name__)

# Entries waiting for the spool; bounded only against a disk that refuses every write.
MAX_BUFFERED = 50_000
_FIELDS = ("entry_id", "user_id", "username", "key_prefix", "method", "endpoint", "status", "latency_ms")

_lock = threading.Lock()  # guards _buffer
_spool_lock = threading.RLock()  # one writer of the spool and the database at a time
# Entries are tagged with the database their request was served from, and only written
# there: a process whose database settings change (a test run swapping in its test
# database and back) never writes one database's entries into another.
_buffer: list[tuple[str, tuple]] = []
# key id -> (database, latest use): last_used marks, coalesced until the writer writes them.
_marks: dict[int, tuple[str, datetime]] = {}
_wake = threading.Event()
_writer: threading.Thread | None = None


def _database_name() -> str:
    # connections.settings holds the very dicts the connections use (a test run renames
    # its database in place), without the per-thread lookup of ``connection``.
    return str(connections.settings[DEFAULT_DB_ALIAS].get("NAME"))


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
    # As given: the entry (its id, its text) is made by the writer (``_take``), not the request.
    recorded = (at, user_id, username, key_prefix, method, endpoint, status, latency_ms)
    with _lock:
        if len(_buffer) >= MAX_BUFFERED:
            return
        _buffer.append((_database_name(), recorded))


def _entry(at, user_id, username, key_prefix, method, endpoint, status, latency_ms) -> dict:
    return {
        "entry_id": uuid.uuid4().hex,
        "created": at.isoformat(),
        "user_id": user_id,
        "username": username[:150],
        "key_prefix": key_prefix[:16],
        "method": method[:10],
        "endpoint": endpoint[:255],
        "status": status,
        "latency_ms": round(latency_ms, 2),
    }


def mark_key_used(*, key_id: int, at: datetime) -> None:
    """The key was used at ``at``; written with the next batch (``_write_marks``)."""
    with _lock:
        _marks[key_id] = (_database_name(), at)


def _write_marks() -> int:
    """One UPDATE per key used since the last write. A mark the database refused waits
    for the next attempt, unless a newer one came meanwhile."""
    here = _database_name()
    with _lock:
        taken = {key_id: mark for key_id, mark in _marks.items() if mark[0] == here}
        for key_id in taken:
            del _marks[key_id]
    for done, (key_id, (_database, at)) in enumerate(taken.items()):
        try:
            ApiKey.objects.filter(pk=key_id).update(last_used=at)
        except Exception:
            with _lock:
                for again, mark in list(taken.items())[done:]:
                    _marks.setdefault(again, mark)
            raise
    return len(taken)


class _Spool:
    """This process's spool file, locked (flock) for as long as the process lives."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.file = None
        self.lines = 0
        self.oldest: float | None = None

    def open(self) -> None:
        directory = Path(settings.AUDIT_SPOOL_DIR)
        if self.file is not None and self.path.parent == directory:
            return
        self.close()
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"audit-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self.file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held open for the process)
        fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.lines, self.oldest = 0, None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            if self.lines == 0:
                self.path.unlink(missing_ok=True)
        self.file = None

    def append(self, entries: list[dict]) -> None:
        self.open()
        self.file.write("".join(json.dumps(entry, separators=(",", ":")) + "\n" for entry in entries))
        self.file.flush()
        os.fsync(self.file.fileno())
        self.lines += len(entries)
        if self.oldest is None:
            self.oldest = time.monotonic()

    def due(self) -> bool:
        if not self.lines:
            return False
        return self.lines >= settings.AUDIT_BATCH or time.monotonic() - self.oldest >= settings.AUDIT_FLUSH_INTERVAL_S

    def write_to_database(self) -> int:
        """Write every spooled entry; the spool is emptied only once they are committed."""
        if not self.lines:
            return 0
        self.file.seek(0)
        entries = _parse(self.file.read())
        _insert(entries)
        self.file.seek(0)
        self.file.truncate()
        self.lines, self.oldest = 0, None
        return len(entries)


_spool = _Spool()


def _parse(text: str) -> list[dict]:
    entries = []
    for line in text.splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a kill mid-write; its entry was never complete
    return entries


def _insert(entries: list[dict]) -> None:
    if connection.vendor not in _PLAIN_INSERT_VENDORS:
        rows = [
            AuditEntry(created=parse_datetime(entry["created"]), **{name: entry[name] for name in _FIELDS})
            for entry in entries
        ]
        AuditEntry.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        return
    # One prepared INSERT for the batch: bulk_create's per-value preparation cost ~45 µs of
    # CPU per entry, more than the whole cached read it records. The two values that need
    # adapting are adapted as their fields would (DateTimeField, UUIDField).
    native_uuid = connection.features.has_native_uuid_field
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            uuid.UUID(entry["entry_id"]) if native_uuid else entry["entry_id"],
            adapt(parse_datetime(entry["created"])),
            *(entry[name] for name in _FIELDS[1:]),
        )
        for entry in entries
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(_insert_sql(), rows)


_PLAIN_INSERT_VENDORS = frozenset({"sqlite", "postgresql"})  # both know ON CONFLICT DO NOTHING


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    meta = AuditEntry._meta
    columns = [meta.get_field(name).column for name in ("entry_id", "created", *_FIELDS[1:])]
    # Table and column names come from the model, quoted; the values are parameters.
    names = ", ".join(quote(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608


def _take() -> list[dict]:
    here = _database_name()
    with _lock:
        pending = list(_buffer)
        _buffer.clear()
    return [_entry(*recorded) for database, recorded in pending if database == here]


def _replay_orphans() -> int:
    """Spools of processes that are gone (their lock is free): write them, then delete them."""
    written = 0
    directory = Path(settings.AUDIT_SPOOL_DIR)
    if not directory.is_dir():
        return 0
    for path in sorted(directory.glob("audit-*.jsonl")):
        if path == _spool.path:
            continue
        try:
            with open(path, "r+", encoding="utf-8") as orphan:
                try:
                    fcntl.flock(orphan, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a live process's spool
                entries = _parse(orphan.read())
                if entries:
                    _insert(entries)
                path.unlink()
                written += len(entries)
        except FileNotFoundError:
            continue  # another process replayed it first
    if written:
        logger.info("audit: wrote %d entries left in the spool by a stopped process", written)
    return written


def flush() -> int:
    """Spool and write every entry now (in this thread); returns how many were written.

    When the database refuses, the entries stay in the spool for the next attempt."""
    with _spool_lock:
        entries = _take()
        if entries:
            _spool.append(entries)
        try:
            written = _spool.write_to_database()
            _replay_orphans()
            _write_marks()
        except Exception as exc:  # database down or locked: the entries wait in the spool
            logger.warning("audit: %d entries kept in the spool for later: %s", _spool.lines, exc.__class__.__name__)
            return 0
        return written


def discard() -> None:
    with _lock:
        _buffer.clear()
        _marks.clear()
    with _spool_lock:
        if _spool.file is not None:
            _spool.file.seek(0)
            _spool.file.truncate()
            _spool.lines, _spool.oldest = 0, None


def pending() -> int:
    """Entries recorded but not yet in the database."""
    with _lock:
        buffered = len(_buffer)
    return buffered + _spool.lines


def _write_loop() -> None:
    from django.db import close_old_connections

    retry_at = 0.0
    with _spool_lock:
        try:
            _replay_orphans()
        except Exception as exc:
            logger.warning("audit: spools of stopped processes not written yet: %s", exc.__class__.__name__)
        finally:
            connection.close()
    while True:
        _wake.wait(settings.AUDIT_SPOOL_INTERVAL_S)
        _wake.clear()
        with _spool_lock:
            try:
                entries = _take()
                if entries:
                    _spool.append(entries)
                due = _spool.due()
                if time.monotonic() >= retry_at and (due or _marks):
                    close_old_connections()
                    if due:
                        _spool.write_to_database()
                        _replay_orphans()
                    _write_marks()
            except Exception as exc:  # the database is down or locked: try again later
                kept, reason = _spool.lines, exc.__class__.__name__
                logger.warning("audit: %d entries kept in the spool for later: %s", kept, reason)
                retry_at = time.monotonic() + max(1.0, settings.AUDIT_FLUSH_INTERVAL_S)
            finally:
                # The writer holds no connection between writes: SQLite's write lock and
                # PostgreSQL's connection slots stay free for requests.
                connection.close()


def start_writer() -> None:
    """Start the background writer (once per process); the server calls this."""
    global _writer
    with _spool_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_loop, name="audit-writer", daemon=True)
            _writer.start()


def _flush_at_exit() -> None:
    try:
        flush()
    except Exception:  # the interpreter is going away; the spool keeps what is left
        logger.warning("audit: final flush failed")


atexit.register(_flush_at_exit)

"""Consistent copies of the database while the service keeps writing, and restore.

SQLite: the online backup API copies pages under a read transaction, so the copy is one
consistent state even while the collector commits. PostgreSQL: pg_dump (custom format)
takes a snapshot; pg_restore --clean brings it back.
"""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, connections


class BackupError(RuntimeError):
    pass


def _suffix() -> str:
    return ".sqlite3" if connection.vendor == "sqlite" else ".pgdump"


def backup(*, output: Path | None = None, keep: int | None = None) -> Path:
    """Write a backup; without ``output`` it goes to BACKUP_DIR and only the newest ``keep`` stay."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = Path(output) if output else Path(settings.BACKUP_DIR) / f"cryptodt-{stamp}{_suffix()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if connection.vendor == "sqlite":
        _sqlite_backup(Path(connection.settings_dict["NAME"]), partial)
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", *_pg_args()])
    else:
        raise BackupError(f"backups are not supported on {connection.vendor}")
    os.replace(partial, target)
    if output is None:
        rotate(keep=keep or settings.BACKUP_KEEP)
    return target


def rotate(*, keep: int) -> list[Path]:
    backups = sorted(Path(settings.BACKUP_DIR).glob(f"cryptodt-*{_suffix()}"))
    stale = backups[:-keep] if keep > 0 else backups
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def restore(*, source: Path) -> Path:
    """Replace the database's content with the backup's; returns the safety copy of what
    was there before (BACKUP_DIR/pre-restore-*, outside the rotation), so a restore of the
    wrong file can itself be undone."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if connection.vendor == "sqlite":
        _check_sqlite_file(source)
        if source.resolve() == Path(connection.settings_dict["NAME"]).resolve():
            raise BackupError("the backup is the live database itself")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safety = backup(output=Path(settings.BACKUP_DIR) / f"pre-restore-{stamp}{_suffix()}")
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_backup(source, Path(connection.settings_dict["NAME"]), into_live=True)
    elif connection.vendor == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *_pg_args(), str(source)])
    else:
        raise BackupError(f"restore is not supported on {connection.vendor}")
    return safety


def _sqlite_backup(source: Path, target: Path, *, into_live: bool = False) -> None:
    if not into_live:
        target.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target), timeout=30)
    try:
        # pages=-1 copies in one step: one read transaction, so one consistent state.
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _check_sqlite_file(path: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite backup: {exc}")
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed the integrity check: {result}")


def _pg_args() -> list[str]:
    s = connection.settings_dict
    args = [f"--dbname={s['NAME']}"]
    if s.get("HOST"):
        args.append(f"--host={s['HOST']}")
    if s.get("PORT"):
        args.append(f"--port={s['PORT']}")
    if s.get("USER"):
        args.append(f"--username={s['USER']}")
    return args


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (needed for PostgreSQL backups)")
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}")

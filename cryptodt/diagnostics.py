"""Self-checks for operators: ``GET/POST /api/diagnostics`` and ``manage.py diagnose [--fix]``.

Every readiness check of cryptodt.health (database, caches, channel layer, task queue,
provider circuits, data age, sentiment backend …) plus the checks an operator needs
before trusting an install: migrations, shared cache directory, schedules, data
directory, disk space, production secrets, backup age. A check that has a safe fix
(migrate, create a directory, write the schedules) says ``fixable`` when it fails.
"""

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cryptodt import health
from cryptodt.schedules import PREFIX
from cryptodt.schedules import planned as planned_jobs

logger = logging.getLogger(__name__)

MIN_FREE_BYTES = 1 << 30  # below 1 GiB a day of raw snapshots and a backup may not fit
BACKUP_MAX_AGE_S = 2 * 86400  # backups run daily; two days allows one missed run


@dataclass(frozen=True)
class Diagnostic:
    name: str
    run: Callable[[], dict]
    fix: Callable[[], str] | None = None


# --- checks of this module ---------------------------------------------------------------


def _pending_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def migrations() -> dict:
    pending = _pending_migrations()
    if not pending:
        return {"ok": True, "detail": "every migration is applied"}
    shown = ", ".join(pending[:5]) + (" …" if len(pending) > 5 else "")
    return {"ok": False, "detail": f"{len(pending)} migrations not applied: {shown}"}


def fix_migrations() -> str:
    out = StringIO()
    call_command("migrate", interactive=False, verbosity=1, stdout=out)
    return "applied the pending migrations"


def _shared_cache_dir() -> Path | None:
    shared = settings.CACHES.get("shared", {})
    if shared.get("BACKEND", "").endswith("FileBasedCache"):
        return Path(shared["LOCATION"])
    return None


def _writable(directory: Path) -> tuple[bool, str]:
    if not directory.is_dir():
        return False, f"{directory} does not exist"
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".diagnose-"):
            pass
    except OSError as exc:
        return False, f"{directory} is not writable ({exc.strerror or exc})"
    return True, f"{directory} is writable"


def shared_cache() -> dict:
    """The "shared" cache is how web and task processes agree (breakers, budgets, versions)."""
    directory = _shared_cache_dir()
    if directory is None:
        return {"ok": True, "detail": "the shared cache is Redis"}
    ok, detail = _writable(directory)
    return {"ok": ok, "detail": detail}


def fix_shared_cache() -> str:
    directory = _shared_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"created {directory}"


def _planned_schedules() -> dict[str, str]:
    return {PREFIX + job.name: job.func for job in planned_jobs()}


def schedules() -> dict:
    from django_q.models import Schedule

    planned = _planned_schedules()
    present = dict(Schedule.objects.filter(name__in=list(planned)).values_list("name", "func"))
    missing = [name for name, func in planned.items() if present.get(name) != func]
    if missing:
        return {"ok": False, "detail": f"missing or outdated schedules: {', '.join(missing)}"}
    return {"ok": True, "detail": f"{len(planned)} schedules present"}


def fix_schedules() -> str:
    call_command("setup_schedules", stdout=StringIO())
    return "ran setup_schedules"


def data_dir() -> dict:
    ok, detail = _writable(Path(settings.DATA_DIR))
    return {"ok": ok, "detail": detail}


def fix_data_dir() -> str:
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    return f"created {settings.DATA_DIR}"


def disk_space() -> dict:
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_gib = usage.free / (1 << 30)
    detail = f"{free_gib:.1f} GiB free of {usage.total / (1 << 30):.1f} GiB under {settings.DATA_DIR}"
    return {"ok": usage.free >= MIN_FREE_BYTES, "detail": detail, "free_bytes": usage.free}


def secrets() -> dict:
    if settings.DEBUG:
        return {"ok": True, "detail": "development settings (DEBUG=1); production rules apply with DEBUG=0"}
    problems = []
    if len(settings.SECRET_KEY) < 32 or len(set(settings.SECRET_KEY)) < 8:
        problems.append("SECRET_KEY is short or repetitive")
    if "*" in settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS allows any host")
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE:
        problems.append("cookies are not marked secure")
    if problems:
        return {"ok": False, "detail": "; ".join(problems)}
    return {"ok": True, "detail": "DEBUG=0 with a strong SECRET_KEY and explicit ALLOWED_HOSTS"}


def backup_age() -> dict:
    directory = Path(settings.BACKUP_DIR)
    backups = [p for p in directory.glob("cryptodt-*") if not p.name.endswith(".partial")] if directory.is_dir() else []
    if not backups:
        return {"ok": False, "detail": f"no backup in {directory} yet (manage.py backup_db)", "age_s": None}
    newest = max(backups, key=lambda p: p.stat().st_mtime)
    age = time.time() - newest.stat().st_mtime
    detail = f"newest backup {newest.name} is {age / 3600:.1f} h old"
    if age > BACKUP_MAX_AGE_S:
        detail += f" (older than {BACKUP_MAX_AGE_S // 3600} h: is the backup_db schedule running?)"
    return {"ok": age <= BACKUP_MAX_AGE_S, "detail": detail, "age_s": round(age)}


def sentiment_setting() -> dict:
    """Only when the sentiment app registers no readiness check of its own."""
    model = settings.SENTIMENT_MODEL
    if model == "lexicon":
        return {"ok": True, "detail": "offline lexicon analyzer (SENTIMENT_MODEL=lexicon)"}
    if model.startswith((os.sep, ".", "~")) and not Path(model).expanduser().is_dir():
        return {"ok": False, "detail": f"SENTIMENT_MODEL directory {model} does not exist"}
    return {"ok": True, "detail": f"model {model} (loaded on first use)"}


# --- the registry -------------------------------------------------------------------------

_OWN = [
    Diagnostic("migrations", migrations, fix_migrations),
    Diagnostic("shared_cache", shared_cache, fix_shared_cache),
    Diagnostic("schedules", schedules, fix_schedules),
    Diagnostic("data_dir", data_dir, fix_data_dir),
    Diagnostic("disk_space", disk_space),
    Diagnostic("secrets", secrets),
    Diagnostic("backup_age", backup_age),
]


def diagnostics() -> list[Diagnostic]:
    """The readiness checks first (as /api/health/ready runs them), then this module's."""
    found = [Diagnostic(check.name, check.run) for check in health.registered()]
    names = {d.name for d in found}
    if "sentiment" not in names:
        found.append(Diagnostic("sentiment", sentiment_setting))
    return found + [d for d in _OWN if d.name not in names]


def _run(diagnostic: Diagnostic) -> dict:
    result = health.run_check(health.Check(diagnostic.name, diagnostic.run))
    result["fixable"] = bool(diagnostic.fix) and not result["ok"]
    return result


def run_all() -> dict:
    checks = {d.name: _run(d) for d in diagnostics()}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}


def fix_all() -> dict:
    """Apply the fix of every failing check that has one, then check everything again."""
    fixed = {}
    for diagnostic in diagnostics():
        if diagnostic.fix is None or _run(diagnostic)["ok"]:
            continue
        try:
            fixed[diagnostic.name] = diagnostic.fix()
        except Exception as exc:  # a fix that fails is reported, and the check stays failing
            logger.warning("diagnostic fix %s failed: %s", diagnostic.name, exc)
            fixed[diagnostic.name] = f"fix failed: {exc.__class__.__name__}: {str(exc)[:200]}"
    return {**run_all(), "fixed": fixed}

"""Self-checks behind /api/health and /api/health/ready.

The project's own infrastructure checks live here; apps add theirs (provider circuits,
age of the newest data, sentiment backend) with ``register`` from their AppConfig.ready,
so this module never imports an app.

A check returns a dict with at least ``ok`` (bool) and ``detail`` (str); ``critical``
checks make the service "down" when they fail, the others make it "degraded".

Each check runs in a thread of its own and gets HEALTH_TIMEOUT_S: a frozen Redis or an
unreachable database makes its check fail ("timed out"), never the probe wait. A check
whose previous run is still stuck is not started again (it fails at once), so a hang
costs one thread per check, not one per probe. Inside a transaction (a test's, a
command's) checks run inline instead, so they see what that transaction sees.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], dict]
    critical: bool = False
    liveness: bool = False


_checks: dict[str, Check] = {}


def register(name: str, run: Callable[[], dict], *, critical: bool = False, liveness: bool = False) -> None:
    _checks[name] = Check(name, run, critical, liveness)


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "detail": connection.vendor}


def _cache() -> dict:
    probe = f"health:{uuid.uuid4().hex}"
    for alias in ("default", "shared"):
        cache = caches[alias]
        cache.set(probe, "1", 10)
        if cache.get(probe) != "1":
            return {"ok": False, "detail": f"cache {alias!r} did not return what was stored"}
        cache.delete(probe)
    return {"ok": True, "detail": caches["default"].__class__.__name__}


def _channel_layer() -> dict:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        return {"ok": False, "detail": "no channel layer configured"}

    async def round_trip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.probe"})
        return await layer.receive(channel)

    message = async_to_sync(round_trip)()
    return {"ok": message.get("type") == "health.probe", "detail": layer.__class__.__name__}


def _task_queue() -> dict:
    from django_q.brokers import get_broker

    broker = get_broker()
    broker.ping()
    return {"ok": True, "detail": broker.__class__.__name__}


register("database", _database, critical=True, liveness=True)
# Not critical: without the cache, reads are answered from the database (cryptodt/cache.py).
register("cache", _cache, liveness=True)
register("channel_layer", _channel_layer)
register("task_queue", _task_queue)


def registered() -> list[Check]:
    """Every check, the project's and the apps' (cryptodt.diagnostics builds on them)."""
    return list(_checks.values())


def run_check(check: Check) -> dict:
    started = time.perf_counter()
    try:
        result = dict(check.run())
    except Exception as exc:  # a failing dependency is the answer, not an error
        logger.warning("health check %s failed: %s", check.name, exc.__class__.__name__)
        result = {"ok": False, "detail": f"{exc.__class__.__name__}: {str(exc)[:200]}"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


_running: dict[str, Future] = {}
_running_lock = threading.Lock()


def _in_thread(check: Check) -> Future:
    future: Future = Future()

    def work() -> None:
        try:
            future.set_result(run_check(check))
        finally:
            connections.close_all()  # this thread's own connections, not the request's

    threading.Thread(target=work, name=f"health-{check.name}", daemon=True).start()
    return future


def _start(check: Check) -> Future | None:
    """The check's run, or None while its previous run is still stuck."""
    with _running_lock:
        previous = _running.get(check.name)
        if previous is not None and not previous.done():
            return None
        _running[check.name] = future = _in_thread(check)
        return future


def _timed_out(detail: str, timeout: float) -> dict:
    return {"ok": False, "detail": detail, "ms": round(timeout * 1000, 1)}


def run_checks(*, liveness_only: bool) -> dict:
    checks = [check for check in _checks.values() if check.liveness or not liveness_only]
    timeout = settings.HEALTH_TIMEOUT_S
    if connection.in_atomic_block:
        results = {check.name: run_check(check) for check in checks}
    else:
        futures = {check.name: _start(check) for check in checks}
        deadline = time.monotonic() + timeout
        results = {}
        for check in checks:
            future = futures[check.name]
            if future is None:
                results[check.name] = _timed_out("timed out (its previous run has not finished)", 0)
                continue
            try:
                results[check.name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                logger.warning("health check %s timed out after %.2fs", check.name, timeout)
                results[check.name] = _timed_out(f"timed out after {timeout:g}s", timeout)
    status = "ok"
    for check in checks:
        if not results[check.name].get("ok"):
            status = "down" if check.critical else ("degraded" if status == "ok" else status)
    return {"status": status, "checks": results}

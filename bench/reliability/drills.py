"""The outage drills of tests/reliability/test_outages.py, with what clients saw printed.

    .venv/bin/python bench/reliability/drills.py

Redis (a real redis-server) frozen with SIGSTOP, then killed, under a running server;
then the SQLite database held locked past DB_TIMEOUT_S=1. Prints status and seconds of
each answer. Needs redis-server on PATH.
"""

import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.reliability.drill import SEED_PRICES, SEED_USER, RedisServer, Server, server_env  # noqa: E402


def show(label: str, answer) -> None:
    code = ""
    try:
        body = answer.json()
        code = body.get("status") or (body.get("error") or {}).get("code", "")
    except ValueError:
        pass
    retry = answer.headers.get("retry-after", "")
    print(f"| {label} | {answer.status} {code} | {answer.seconds:.2f} | {retry} |", flush=True)


def redis_drill(tmp: Path) -> None:
    redis = RedisServer(tmp)
    data = tmp / "redis-data"
    server = Server(data, server_env(data, REDIS_URL=redis.url, WEB_WORKERS="1")).start()
    try:
        server.wait_ready()
        server.manage(SEED_PRICES)
        key = server.manage(SEED_USER.format(username="drill"))
        print("| Redis | request | status | seconds | Retry-After |\n|---|---|---|---|---|")
        for outage in ("up", "frozen (SIGSTOP)", "stopped (SIGKILL)"):
            if outage.startswith("frozen"):
                redis.freeze()
            elif outage.startswith("stopped"):
                redis.kill()
            for path, headers in [
                ("/api/prices?symbols=BTC", {}),
                ("/api/prices?symbols=BTC", {}),
                ("/api/auth/me", {"X-API-Key": key}),
                ("/api/health/ready", {}),
            ]:
                show(f"{outage} | GET {path}", server.request("GET", path, headers=headers))
    finally:
        server.kill_hard()
        redis.kill()


def lock_drill(tmp: Path) -> None:
    data = tmp / "lock-data"
    server = Server(data, server_env(data, DB_TIMEOUT_S="1", AUDIT_FLUSH_INTERVAL_S="0.2")).start()
    try:
        server.wait_ready()
        key = server.manage(SEED_USER.format(username="locked"))
        credentials = {"username": "locked", "password": "correct-Horse-battery-9"}
        print("\n| SQLite write lock held | request | status | seconds | Retry-After |\n|---|---|---|---|---|")
        holder = sqlite3.connect(data / "cryptodt.sqlite3", isolation_level=None, timeout=30)
        with closing(holder):
            holder.execute("BEGIN EXCLUSIVE")
            show(
                "locked | POST /api/auth/keys",
                server.request("POST", "/api/auth/keys", body={"name": "x"}, headers={"X-API-Key": key}),
            )
            show("locked | POST /api/auth/token", server.request("POST", "/api/auth/token", body=credentials))
            show("locked | GET /api/auth/me", server.request("GET", "/api/auth/me", headers={"X-API-Key": key}))
            show("locked | GET /api/health/ready", server.request("GET", "/api/health/ready"))
            time.sleep(2)
            holder.execute("ROLLBACK")
        time.sleep(3)
        count = server.manage(
            "from accounts.models import AuditEntry as A; print(A.objects.filter(username='locked').count())"
        )
        print(f"\naudit entries of the 'locked' user after the lock: {count} (2 keyed requests, both while locked)")
    finally:
        server.kill_hard()


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cryptodt-drills-") as tmp:
        redis_drill(Path(tmp))
        lock_drill(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())

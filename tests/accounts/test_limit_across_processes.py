"""The tier limit holds across two real server processes: through Redis when REDIS_URL is
set (CI's second pass), through the shared-memory counters in DATA_DIR without it."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.db import connection

from accounts.ratelimit import window_end

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {process.stdout.read().decode(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server at {base} did not come up")


@pytest.fixture
def two_servers(transactional_db):
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "PYTHONUNBUFFERED": "1"}
    processes, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            command = [sys.executable, "-m", "uvicorn", "cryptodt.asgi:application"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--lifespan", "off"]
            processes.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            )
            bases.append(f"http://127.0.0.1:{port}")
        for base, process in zip(bases, processes, strict=True):
            _wait_until_up(base, process)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start_of_a_fresh_window(subject: str) -> None:
    # Both servers count in fixed one-minute windows; start with most of one left, so
    # the 51 requests cannot straddle a window boundary.
    now = int(time.time())
    left = window_end(subject, 60, now) - now
    if left < 25:
        time.sleep(left + 1.5)


def test_the_free_limit_holds_across_two_server_processes(two_servers, user, api_key):
    headers = {"X-API-Key": api_key}
    _start_of_a_fresh_window(f"user:{user.pk}")

    remaining = []
    for n in range(50):
        response = requests.get(f"{two_servers[n % 2]}/api/auth/me", headers=headers, timeout=10)
        assert response.status_code == 200, (n, response.text)
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))

    assert remaining == list(range(49, -1, -1))
    for base in two_servers:
        limited = requests.get(f"{base}/api/auth/me", headers=headers, timeout=10)
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1

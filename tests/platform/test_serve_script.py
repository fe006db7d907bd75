"""bin/serve.py — the start-up of `make run` and of the container — run for real."""

import http.client
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, closing

import pytest
from websockets.sync.client import connect

from tests.platform.processes import OFFLINE_PROVIDERS, ROOT, cmdline, descendants, free_port, is_alive

pytestmark = pytest.mark.timeout(240)


def _wait_for_health(base: str, proc: subprocess.Popen, timeout: float = 150) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"serve.py exited early with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=5) as response:
                return {"status": response.status, "body": json.load(response)}
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{base}/api/health did not answer within {timeout}s")


def _wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture
def start_server(tmp_path):
    started: list[tuple[subprocess.Popen, set[int]]] = []

    def start(**extra_env: str) -> tuple[subprocess.Popen, str, set[int]]:
        port = free_port()
        env = {
            **os.environ,
            **OFFLINE_PROVIDERS,
            "DATA_DIR": str(tmp_path / "data"),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "cryptodt.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "platform" / "offline"), str(ROOT)]),
            **extra_env,
        }
        proc = subprocess.Popen([sys.executable, "bin/serve.py"], cwd=ROOT, env=env)
        seen: set[int] = set()
        started.append((proc, seen))
        return proc, f"127.0.0.1:{port}", seen

    yield start
    for proc, seen in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in seen | descendants(proc.pid):
            if is_alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def server(start_server):
    return start_server()


def test_serve_script_serves_http_and_websockets_then_stops_cleanly_on_ctrl_c(server, tmp_path):
    proc, address, seen = server

    health = _wait_for_health(f"http://{address}", proc)
    assert health["status"] == 200
    assert health["body"]["checks"]["database"]["ok"] is True
    if not os.environ.get("DATABASE_URL"):
        # `make run` migrates and sets up the schedules before it serves.
        with closing(sqlite3.connect(tmp_path / "data" / "cryptodt.sqlite3")) as database:
            names = {row[0] for row in database.execute("SELECT name FROM django_q_schedule")}
        assert {"cryptodt:collect_all", "cryptodt:prune_history", "cryptodt:backup_db"} <= names

    with connect(f"ws://{address}/ws/prices", open_timeout=10) as socket:
        socket.send(json.dumps({"action": "ping"}))
        assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}

    assert _wait_for(lambda: any("qcluster" in cmdline(pid) for pid in descendants(proc.pid)), timeout=30), (
        "the django-q2 cluster is not running under serve.py"
    )
    seen.update(descendants(proc.pid))
    assert any("granian" in cmdline(pid) for pid in seen)

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0  # children that ignore SIGTERM get killed only after 20 s
    survivors = {pid: cmdline(pid) for pid in seen if is_alive(pid)}
    assert _wait_for(lambda: not any(is_alive(pid) for pid in seen), timeout=5), f"orphans left: {survivors}"


def _get(address: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(address, timeout=10)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_serve_script_in_production_mode_serves_static_files_and_health_behind_a_tls_proxy(start_server):
    """The container's environment (Dockerfile): DEBUG=0 behind Hugging Face's TLS proxy."""
    proc, address, seen = start_server(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_PROXY_SSL_HEADER="1",
        TRUSTED_PROXY_HOPS="1",
    )
    assert _wait_for_health(f"http://{address}", proc)["status"] == 200  # probes need no TLS

    static = _get(address, "/static/admin/css/base.css", {"X-Forwarded-Proto": "https"})
    assert static.status == 200
    assert static.getheader("Content-Type").startswith("text/css")
    assert "max-age=31536000" in static.getheader("Strict-Transport-Security")

    plain = _get(address, "/api/docs/")
    assert plain.status == 301
    assert plain.getheader("Location").startswith("https://")

    seen.update(descendants(proc.pid))
    proc.send_signal(signal.SIGTERM)  # what `docker stop` sends
    assert proc.wait(timeout=15) == 0  # children that ignore SIGTERM get killed only after 20 s
    assert _wait_for(lambda: not any(is_alive(pid) for pid in seen), timeout=5)


def _serve_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("cryptodt_serve", ROOT / "bin" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/0"])
def test_serve_script_runs_two_web_processes_in_either_profile(monkeypatch, redis_url):
    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.setenv("REDIS_URL", redis_url)
    command = _serve_module().web_command("127.0.0.1", "8123")
    assert command[command.index("--workers") + 1] == "2"
    assert command[-1] == "cryptodt.asgi:application"
    assert command[command.index("--port") + 1] == "8123"


def test_serve_script_refuses_a_worker_count_that_is_not_a_positive_integer(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "0")
    with pytest.raises(SystemExit, match="WEB_WORKERS must be a positive integer"):
        _serve_module().web_command("127.0.0.1", "8000")


def test_serve_script_keeps_the_optional_price_stream_running_and_stops_it_too(start_server):
    # A fresh install knows no Binance pair yet: stream_prices waits (quietly) instead of
    # exiting; when it does exit, serve.py starts it again after STREAM_RESTART_S instead of
    # stopping the service.
    proc, address, seen = start_server(STREAM_RESTART_S="1")
    assert _wait_for_health(f"http://{address}", proc)["status"] == 200
    streams: set[int] = set()

    def stream_runs(count: int):
        def enough() -> bool:
            pids = descendants(proc.pid)
            seen.update(pids)
            streams.update(pid for pid in pids if "stream_prices" in cmdline(pid) and is_alive(pid))
            return len(streams) >= count

        return enough

    assert _wait_for(stream_runs(1), timeout=40, interval=0.05), f"stream_prices runs seen: {streams}"
    first = min(streams)
    os.kill(first, signal.SIGKILL)  # the stream dies: serve.py must start another one
    assert _wait_for(stream_runs(2), timeout=40, interval=0.05), f"stream_prices runs seen: {streams}"
    assert proc.poll() is None, "an exiting price stream must not stop the service"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=15) == 0
    assert _wait_for(lambda: not any(is_alive(pid) for pid in seen), timeout=5)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the Redis channel layer needs REDIS_URL")
def test_serve_script_stops_within_ten_seconds_of_sigterm_with_sockets_open_on_the_redis_layer(start_server):
    # With the Redis layer every open socket's consumer waits in a channels_redis receive.
    # uvicorn sometimes never finishes its shutdown then (a receive that loses its
    # cancellation, BENCHMARKS.md "Live feed under bin/serve.py"); under serve.py a web
    # worker that hung would be killed by granian only after --workers-kill-timeout (10 s),
    # so a stop within 10 s means no worker hung.
    proc, address, seen = start_server(STREAM_PRICES="0")
    assert _wait_for_health(f"http://{address}", proc)["status"] == 200
    with ExitStack() as stack:
        sockets = [stack.enter_context(connect(f"ws://{address}/ws/prices", open_timeout=10)) for _ in range(20)]
        for socket in sockets:
            socket.send(json.dumps({"action": "ping"}))
        assert all(json.loads(socket.recv(timeout=10)) == {"type": "pong"} for socket in sockets)
        seen.update(descendants(proc.pid))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert _wait_for(lambda: not any(is_alive(pid) for pid in seen), timeout=5)

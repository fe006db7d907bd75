"""The real server (bin/serve.py) under a test, for outage drills: started on a free
port with its own data directory, providers pointed at a closed port, and every process
it started killed afterwards."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.platform.processes import OFFLINE_PROVIDERS, ROOT, descendants, free_port, is_alive

OFFLINE = OFFLINE_PROVIDERS | {"STREAM_PRICES": "0"}


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    data_dir: Path
    env: dict
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    seen: set = field(default_factory=set)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, *args: str) -> "Server":
        self.proc = subprocess.Popen(
            [sys.executable, "bin/serve.py", *args], cwd=ROOT, env={**self.env, "PORT": str(self.port)}
        )
        return self

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve.py exited early with {self.proc.returncode}"
            try:
                if self.request("GET", "/api/health", timeout=5).status in (200, 503):
                    self.seen |= descendants(self.proc.pid)
                    return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"the server did not answer within {timeout}s")

    def request(self, method: str, path: str, *, body=None, headers=None, timeout: float = 30) -> Answer:
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.address, timeout=timeout)
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload else {}
        connection.request(method, path, body=payload, headers={**all_headers, **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        connection.close()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, content, time.monotonic() - started)

    def manage(self, code: str, timeout: float = 120) -> str:
        """Python run by ``manage.py shell`` on the server's database; returns what it printed."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]  # after shell's own "objects imported" line

    def kill_hard(self) -> None:
        """SIGKILL to serve.py and everything it started: no exit handler runs."""
        if self.proc is None:
            return
        everyone = self.seen | descendants(self.proc.pid) | {self.proc.pid}
        for pid in everyone:
            if is_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(is_alive(pid) for pid in everyone) and time.monotonic() < deadline:
            time.sleep(0.1)


def server_env(data_dir: Path, **extra: str) -> dict:
    return {
        **os.environ,
        **OFFLINE,
        "DATA_DIR": str(data_dir),
        "HOST": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "cryptodt.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "platform" / "offline"), str(ROOT)]),
        **extra,
    }


SEED_USER = """
from django.contrib.auth import get_user_model
from accounts import services
user, _ = get_user_model().objects.get_or_create(username={username!r})
user.set_password("correct-Horse-battery-9"); user.save()
print(services.api_key_issue(user=user, name="drill").key)
"""

SEED_PRICES = """
from datetime import UTC, datetime
from decimal import Decimal
from providers.records import MarketRow
from markets.services import ingest
ingest.ingest_market_rows(rows=[MarketRow(coin_id="bitcoin", symbol="btc", name="Bitcoin",
    price=Decimal("60000"), as_of=datetime.now(UTC).replace(microsecond=0), rank=1,
    market_cap=Decimal("1e12"), volume_24h=Decimal("5e9"), change_24h_pct=Decimal("1.5"))],
    source="coingecko", track=True)
print("ok")
"""


class RedisServer:
    """A real redis-server on a free port, for a test to stop, freeze and thaw."""

    def __init__(self, directory: Path, *, port: int | None = None):
        self.port = port or free_port()  # a port: a restart where the stopped one was
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        self.thaw()
        self.proc.kill()
        self.proc.wait()

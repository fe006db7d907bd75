"""Start cryptodt: prepare the database, then run the web server and the task cluster.

This one script is what `make run` and the container both execute, so the tests that
start it exercise the production start-up too. Ctrl-C (SIGINT) or SIGTERM stops every
child and exits once they are gone.

With STREAM_PRICES=1 (the default) it also keeps `manage.py stream_prices` running: the
exchange's real-time ticker feeds /ws/prices between collection cycles. That child is
optional: when it exits (no Binance pair known yet on a fresh install, the exchange out
of reach) it is started again after STREAM_RESTART_S, and the service goes on without it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_TIMEOUT_S = 20


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def prepare() -> None:
    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("setup_schedules")
    production = os.environ.get("DEBUG", "1").strip().lower() in {"0", "false", "no", "off"}
    # The image collects static files at build; a checkout in production mode does it once.
    if production and not (ROOT / "staticfiles" / "staticfiles.json").exists():
        manage("collectstatic", "--noinput", "--verbosity", "0")


def web_workers() -> str:
    """Two web processes (or WEB_WORKERS), in either profile.

    The processes agree exactly on what must be shared: rate-limit counters and data
    versions are cryptodt.counters (Redis, or shared memory in DATA_DIR without it), and
    each process's cache of rendered answers is keyed by those versions. The value is
    put in the environment, so the web processes know how many of them share the
    WebSocket capacity (WS_MAX_CONNECTIONS).
    """
    raw = os.environ.get("WEB_WORKERS") or "2"
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"WEB_WORKERS must be a positive integer, got {raw!r}")
    os.environ["WEB_WORKERS"] = raw
    return raw


def malloc_arenas() -> None:
    """MALLOC_ARENA_MAX=2 (unless set) for the web processes (the task cluster inherits it
    too): otherwise glibc gives each request thread an arena of its own, and every arena
    keeps the freed space of the answers and SQLite pages it once held (BENCHMARKS.md, "Memory under random query
    strings"). glibc reads it when a process starts, so it goes in the environment that
    granian and its workers inherit, not in Django's settings."""
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")


def web_command(host: str, port: str) -> list[str]:
    """Granian serving cryptodt.asgi (HTTP via the WSGI bridge, WebSockets via Channels).

    The choice and its measurements: README.md "Serving architecture", BENCHMARKS.md.
    """
    workers = web_workers()
    malloc_arenas()
    log_level = "info" if os.environ.get("LOG_LEVEL", "INFO").upper() == "DEBUG" else "warning"
    return [
        PYTHON,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--host",
        host,
        "--port",
        port,
        "--workers",
        workers,
        "--loop",
        "uvloop",
        "--log-level",
        log_level,
        "--no-access-log",
        "--workers-kill-timeout",
        "10",
        "cryptodt.asgi:application",
    ]


def ensure_port_free(host: str, port: str) -> None:
    """Refuse to start when something already listens on the address.

    Granian binds with SO_REUSEPORT, so a second cryptodt on the same port would start
    without error and the kernel would split the traffic between the two (each with its
    own rate-limit counters and in-process cache). A plain bind (SO_REUSEADDR only, which
    tolerates a previous run's TIME_WAIT but never a listener) tells."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0]
    except (OSError, ValueError) as exc:
        raise SystemExit(f"cannot serve on {host}:{port}: {exc}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise SystemExit(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}. Is another cryptodt (or another "
                "server) already running there? Stop it or choose another PORT."
            ) from None


def fresh_metrics_dir() -> None:
    """Prometheus' multiprocess files (cryptodt/metrics.py) start empty with the service:
    samples of processes from an earlier run would be summed into this run's gauges.
    Set in the environment here so every child writes to the same directory."""
    data_dir = Path(os.environ.get("DATA_DIR") or ROOT / "data")
    directory = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or data_dir / "metrics")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for samples in directory.glob("*.db"):  # only prometheus_client's files: the directory may be shared
        samples.unlink(missing_ok=True)


def stream_restart_s() -> float | None:
    """Seconds between restarts of the optional stream_prices child; None when it is off."""
    if os.environ.get("STREAM_PRICES", "1").strip().lower() in {"0", "false", "no", "off"}:
        return None
    raw = os.environ.get("STREAM_RESTART_S", "60")
    try:
        return max(1.0, float(raw))
    except ValueError:
        raise SystemExit(f"STREAM_RESTART_S must be a number of seconds, got {raw!r}") from None


def start(command: list[str]) -> subprocess.Popen:
    # Each child leads its own process group: a terminal's Ctrl-C reaches only this
    # script, which then stops every group as a whole, so no worker of granian or of
    # the task cluster outlives it.
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True)


class Restarting:
    """A child the service can run without: started again ``restart_s`` after it exits."""

    def __init__(self, command: list[str], restart_s: float):
        self.command = command
        self.restart_s = restart_s
        self.process: subprocess.Popen | None = None
        self.next_start = time.monotonic()

    def tend(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                return
            self.process = None
            self.next_start = time.monotonic() + self.restart_s
        if time.monotonic() >= self.next_start:
            self.process = start(self.command)

    def running(self) -> list[subprocess.Popen]:
        return [self.process] if self.process is not None else []


def stop(children: list[subprocess.Popen], timeout: float = STOP_TIMEOUT_S) -> None:
    # Only the leaders get SIGTERM: granian and the django-q2 sentinel each stop their
    # own workers in order (signalling the workers too leaves the sentinel waiting for
    # ones that already died, until the kill below).
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"{child.args[2:4]} did not stop in {timeout:.0f}s; killing it", file=sys.stderr, flush=True)
        # Grandchildren (granian and cluster workers) go too, even when the child is gone.
        _signal_group(child, signal.SIGKILL)
        child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    web = web_command(host, port)  # checks the worker settings before any slow step
    ensure_port_free(host, port)
    restart_s = stream_restart_s()
    if "--no-prepare" not in sys.argv:
        try:
            prepare()
        except subprocess.CalledProcessError as failed:
            print(f"start-up step failed: manage.py {' '.join(failed.cmd[2:])}", file=sys.stderr, flush=True)
            return 1
        except KeyboardInterrupt:
            return 130

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    fresh_metrics_dir()
    children = [start(web), start([PYTHON, "manage.py", "qcluster"])]
    print(f"cryptodt is serving on http://{host}:{port} (Ctrl-C stops it)", flush=True)
    optional = [Restarting([PYTHON, "manage.py", "stream_prices"], restart_s)] if restart_s else []
    while not stopping and all(child.poll() is None for child in children):
        for child in optional:
            child.tend()
        time.sleep(0.2)
    stop([process for child in optional for process in child.running()])
    crashed = [child.args for child in children if child.poll() is not None]
    stop(children)
    if crashed and not stopping:
        print(f"stopped because a child exited: {crashed}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Start cryptodt: prepare the database, then run the web server and the task cluster.

This one script is what `make run` and the container both execute, so the tests that
start it exercise the production start-up too. Ctrl-C (SIGINT) or SIGTERM stops both
children and exits once they are gone.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def prepare() -> None:
    manage("migrate", "--noinput")
    manage("createcachetable")
    manage("setup_schedules")
    if os.environ.get("DEBUG", "1") == "0":
        manage("collectstatic", "--noinput", "--verbosity", "0")


def web_command(host: str, port: str) -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        "cryptodt.asgi:application",
        "--host",
        host,
        "--port",
        port,
        "--no-access-log",
        "--lifespan",
        "off",
    ]


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    if "--no-prepare" not in sys.argv:
        prepare()
    children = [
        subprocess.Popen(web_command(host, port), cwd=ROOT),
        subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT),
    ]
    print(f"cryptodt is serving on http://{host}:{port} (Ctrl-C stops it)", flush=True)

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)

    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    failed = [child.returncode for child in children if child.returncode not in (0, -signal.SIGTERM, None)]
    return 0 if stopping or not failed else 1


if __name__ == "__main__":
    sys.exit(main())

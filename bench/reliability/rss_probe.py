"""Where the web process's memory goes: bench/reliability/rss.py's load, in one process.

    .venv/bin/python bench/reliability/rss_probe.py 5000            # RSS every 2,500 requests
    TRACE=1 .venv/bin/python bench/reliability/rss_probe.py 2500    # plus tracemalloc's diff

Runs cryptodt.asgi's application (fast path, WSGI bridge and its request threads, a fresh
SQLite DATA_DIR with rss.py's 60 coins) without granian, 16 concurrent callers, the same
random query strings. Python's allocations (tracemalloc) against RSS tell Python objects
from what SQLite and the allocator hold. Slow under TRACE; keep N small.
"""

import asyncio
import collections
import gc
import os
import random
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.reliability.rss import SEED, random_path  # noqa: E402

UNREACHABLE = "http://127.0.0.1:9"
PROVIDERS = ("COINGECKO", "BINANCE", "COINCAP", "KRAKEN", "DEFILLAMA", "FNG", "CRYPTOCOMPARE")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare() -> None:
    os.chdir(ROOT)
    os.environ.update(
        {
            "DATA_DIR": tempfile.mkdtemp(prefix="cryptodt-probe-"),
            "STREAM_PRICES": "0",
            "RATE_ANON": "100000000/m",
            "LOG_LEVEL": "WARNING",
            "BINANCE_WS_URL": "ws://127.0.0.1:9",
            "NEWS_RSS_FEEDS": UNREACHABLE,
            "DJANGO_SETTINGS_MODULE": "cryptodt.settings",
            **{f"{name}_BASE_URL": UNREACHABLE for name in PROVIDERS},
        }
    )
    for args in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["shell", "-c", SEED]):
        subprocess.run([sys.executable, "manage.py", *args], check=True, stdout=subprocess.DEVNULL)


async def call(application, path: str) -> int:
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
        "http_version": "1.1",
        "scheme": "http",
        "root_path": "",
    }
    status = {}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    await application(scope, receive, send)
    return status.get("code", 0)


async def load(application, requests: int) -> None:
    statuses: collections.Counter = collections.Counter()
    sent = [0]

    async def caller(seed: int) -> None:
        rng = random.Random(seed)
        while sent[0] < requests:
            sent[0] += 1
            n = sent[0]
            statuses[await call(application, random_path(rng))] += 1
            if n % 2500 == 0:
                gc.collect()
                print(f"after {n:>6,} requests: RSS {rss_mb():.1f} MB {dict(statuses)}", flush=True)

    await asyncio.gather(*(caller(seed) for seed in range(16)))


def main() -> int:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    trace = os.environ.get("TRACE") == "1"
    prepare()
    from cryptodt.asgi import application, bridge

    bridge.warm()
    print(f"ready: RSS {rss_mb():.1f} MB", flush=True)
    if trace:
        tracemalloc.start(1)
        before = tracemalloc.take_snapshot()
    asyncio.run(load(application, requests))
    if trace:
        after = tracemalloc.take_snapshot()
        for stat in after.compare_to(before, "lineno")[:20]:
            print(stat)
        print(f"Python allocations traced: {sum(s.size for s in after.statistics('filename')) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""/api/prices/history?days=30 through a real HTTP server (uvicorn, as `make run` starts it)
on the steady-state database that bench/data/storage.py leaves behind (generated here if absent).

    .venv/bin/python bench/data/history_http.py [--requests 500]
"""

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.data.common import BENCH_DIR, ROOT, append_results, generate_steady_state, percentiles, setup_django  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_s(pid: int) -> float:
    """utime + stime of the server: steadier than latency on a machine other work shares."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--coins", type=int, default=1000)
    args = parser.parse_args()
    have = (BENCH_DIR / "cryptodt.sqlite3").exists()
    setup_django(fresh=not have)
    if not have:
        from django.conf import settings

        generate_steady_state(
            coins=args.coins, raw_days=settings.RAW_RETENTION_DAYS, hourly_days=settings.HISTORY_RETENTION_DAYS
        )
    from markets.models import Coin

    symbols = list(Coin.objects.values_list("symbol", flat=True))
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(BENCH_DIR), "RATE_ANON": "1000000/m", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cryptodt.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    session = requests.Session()
    try:
        for _ in range(200):
            try:
                if session.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        rng = random.Random(3)

        def run(pick) -> dict:
            durations = []
            cpu = cpu_s(server.pid)
            for _ in range(args.requests):
                started = time.perf_counter()
                response = session.get(f"{base}/api/prices/history", params={"symbol": pick(), "days": 30}, timeout=10)
                durations.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text[:200]
            result = percentiles(durations)
            result["cpu_ms"] = round((cpu_s(server.pid) - cpu) * 1000 / args.requests, 2)
            return result

        cold = run(lambda: rng.choice(symbols))  # mostly distinct coins: cache misses
        warm = run(lambda: rng.choice(symbols[:10]))  # ten coins: cache hits after the first
        sample = session.get(f"{base}/api/prices/history", params={"symbol": symbols[0], "days": 30}).json()
        points = len(sample["data"])
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [
        f"uvicorn (1 worker), SQLite steady state of {len(symbols)} coins, {points} points per answer",
        f"random coins (mostly uncached): p50 {cold['p50']} ms, p95 {cold['p95']} ms, p99 {cold['p99']} ms "
        f"(n={cold['n']}; goal p95 < 30 ms); server CPU {cold['cpu_ms']} ms per request",
        f"ten coins (cached data): p50 {warm['p50']} ms, p95 {warm['p95']} ms, p99 {warm['p99']} ms (n={warm['n']}); "
        f"server CPU {warm['cpu_ms']} ms per request",
    ]
    for line in lines:
        print(line)
    append_results("/api/prices/history?days=30 over HTTP", ".venv/bin/python bench/data/history_http.py", lines)


if __name__ == "__main__":
    main()

"""Broadcast latency of the live price feed, from the ingest call to the WebSocket client.

Starts one uvicorn server (cryptodt.asgi) on loopback over a bench-only data directory,
connects N clients subscribed to BTC, then stores prices through the real ingest
service in this (another) process, one every --every seconds, and times each until
every client has it. With REDIS_URL the price crosses through the Redis channel layer;
without it, through the web process's relay, woken by the storing process (streaming.wake;
polling every WS_RELAY_INTERVAL_S is the fallback). Also prints the server's memory per
idle subscribed socket.

    .venv/bin/python bench/streaming/feed_latency.py [--clients 200] [--prices 30] [--every 0.5]
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import requests
import websockets

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="cryptodt-bench-ws-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
os.environ.setdefault("SENTIMENT_MODEL", "lexicon")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from markets.services import ingest  # noqa: E402
from providers.records import MarketRow, Quote  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "cryptodt.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--lifespan", "off", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                return server, base
        except requests.ConnectionError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not come up")


def seed() -> datetime:
    t = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    row = MarketRow(
        coin_id="bitcoin",
        symbol="btc",
        name="Bitcoin",
        price=Decimal("65000"),
        as_of=t,
        rank=1,
        market_cap=Decimal("1.3e12"),
    )
    ingest.ingest_market_rows(rows=[row], source="bench", track=True)
    return t


async def client(url: str, arrivals: dict, ready: asyncio.Event) -> None:
    """Subscribes to BTC; the snapshot (source "bench") says it is ready, then records
    when each new price arrives, until cancelled."""
    async with websockets.connect(url, max_queue=None) as ws:
        await ws.send(json.dumps({"action": "subscribe", "symbols": ["BTC"]}))
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] != "price":
                continue
            if frame["source"] == "bench":
                ready.set()
            else:
                arrivals.setdefault(frame["as_of"], []).append(time.time())


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def run(clients: int, prices: int, every: float, base: str, start: datetime, pid: int = 0) -> list[float]:
    url = base.replace("http://", "ws://") + "/ws/prices"
    arrivals: dict[str, list[float]] = {}
    readies = [asyncio.Event() for _ in range(clients)]
    await asyncio.sleep(0.5)
    before_rss = rss_kib(pid) if pid else 0
    tasks = [asyncio.create_task(client(url, arrivals, ready)) for ready in readies]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=300)
    if pid:
        await asyncio.sleep(1)
        after = rss_kib(pid)
        print(f"server memory: {before_rss / 1024:.0f} MiB before, {after / 1024:.0f} MiB with {clients} idle sockets")
        print(f"memory per idle subscribed socket: {(after - before_rss) / clients:.1f} KiB")
    sent: dict[str, float] = {}
    for n in range(1, prices + 1):
        t = start + timedelta(seconds=n)
        quote = Quote(coin_id="bitcoin", symbol="BTC", price=Decimal(65000 + n), as_of=t)
        sent[t.strftime("%Y-%m-%dT%H:%M:%SZ")] = time.time()
        await asyncio.to_thread(ingest.ingest_quotes, quotes=[quote], source="binance")
        await asyncio.sleep(every)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(len(arrivals.get(k, [])) for k in sent) < clients * prices:
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    latencies = [(arrived - sent[k]) * 1000 for k in sent for arrived in arrivals.get(k, [])]
    missing = clients * prices - len(latencies)
    if missing:
        print(f"warning: {missing} of {clients * prices} deliveries missing")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--prices", type=int, default=30)
    parser.add_argument("--every", type=float, default=0.5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = seed()
    server, base = start_server()
    try:
        latencies = asyncio.run(run(args.clients, args.prices, args.every, base, start, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    profile = "Redis channel layer" if os.environ.get("REDIS_URL") else "embedded (relay)"
    print(f"profile: {profile}; clients {args.clients}; prices {args.prices}, one every {args.every} s")
    print(f"deliveries: {len(ordered)}")
    print(f"latency ms: p50 {at(0.5):.1f}  p90 {at(0.9):.1f}  p99 {at(0.99):.1f}  max {ordered[-1]:.1f}")
    print(f"mean {statistics.fmean(ordered):.1f} ms")


if __name__ == "__main__":
    main()

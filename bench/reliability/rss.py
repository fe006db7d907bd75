"""Web-process memory under 100,000 requests with random parameters (issue 12, item 5).

    .venv/bin/python bench/reliability/rss.py                  # 100,000 requests, 16 threads
    .venv/bin/python bench/reliability/rss.py --requests 20000 --threads 8

Starts bin/serve.py on a free port with a fresh DATA_DIR (providers pointed at a closed
port, rate limits out of the way), stores a listing of 60 coins, then sends requests
whose query strings are drawn at random: symbol subsets in every order, random limits,
days, vs currencies and unknown parameters, so nearly every request is a new cache key.
Prints the web processes' RSS (granian's leader and its WEB_WORKERS workers: the total and
each process's) at start, every 10,000 requests
and at the end, plus the answers' status counts. Keep-alive connections, one per thread.
"""

import argparse
import collections
import http.client
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.platform.processes import _ppid, cmdline, descendants, free_port  # noqa: E402

SEED = """
from datetime import UTC, datetime
from decimal import Decimal
from providers.records import MarketRow
from markets.services import ingest
now = datetime.now(UTC).replace(microsecond=0)
rows = [MarketRow(coin_id=f"coin{n}", symbol=f"C{n}", name=f"Coin {n}", price=Decimal(100 + n), as_of=now,
        rank=n + 1, market_cap=Decimal(10**12 - n), volume_24h=Decimal(10**9), change_24h_pct=Decimal("1.5"))
        for n in range(60)]
ingest.ingest_market_rows(rows=rows, source="coingecko", track=True)
print("seeded")
"""


def web_processes(root_pid: int) -> list[int]:
    """granian's leader (a child of serve.py) and every process under it: its WEB_WORKERS
    worker processes, whatever their command line (spawned workers need not say granian)."""
    leaders = [pid for pid in descendants(root_pid) if "granian" in cmdline(pid) and _ppid(pid) == root_pid]
    return sorted({pid for leader in leaders for pid in {leader} | descendants(leader)})


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(root_pid: int) -> tuple[float, list[float]]:
    """Total RSS of the web processes and each one's (leader first), in MB."""
    each = [rss_kb(pid) / 1024 for pid in web_processes(root_pid)]
    return sum(each), each


def show(each: list[float]) -> str:
    return " + ".join(f"{mb:.1f}" for mb in each)


def random_path(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.5:
        symbols = rng.sample([f"C{n}" for n in range(60)], rng.randint(1, 8))
        return f"/api/prices?symbols={','.join(symbols)}&vs=usd"
    if kind < 0.7:
        return f"/api/market?limit={rng.randint(1, 250)}"
    if kind < 0.8:
        return f"/api/v3/simple/price?ids=coin{rng.randint(0, 59)},coin{rng.randint(0, 59)}&vs_currencies=usd"
    if kind < 0.9:
        return f"/api/prices?symbols=C{rng.randint(0, 59)}&utm={rng.getrandbits(40):x}"
    return f"/api/v3/coins/markets?vs_currency=usd&per_page={rng.randint(1, 100)}&page={rng.randint(1, 3)}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="cryptodt-rss-"))
    port = free_port()
    unreachable = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "STREAM_PRICES": "0",
        "RATE_ANON": "100000000/m",
        "LOG_LEVEL": "WARNING",
        "BINANCE_WS_URL": "ws://127.0.0.1:9",
        **{
            name: unreachable
            for name in ("COINGECKO_BASE_URL", "BINANCE_BASE_URL", "COINCAP_BASE_URL", "KRAKEN_BASE_URL")
            + ("DEFILLAMA_BASE_URL", "FNG_BASE_URL", "CRYPTOCOMPARE_BASE_URL", "NEWS_RSS_FEEDS")
        },
    }
    server = subprocess.Popen([sys.executable, "bin/serve.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/health")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.5)
        subprocess.run([sys.executable, "manage.py", "shell", "-c", SEED], cwd=ROOT, env=env, check=True)
        time.sleep(2)
        start_rss, each = rss_mb(server.pid)
        print(f"web processes: {web_processes(server.pid)} (granian's leader, then its workers)", flush=True)
        print(f"RSS at start: {start_rss:.1f} MB ({show(each)})", flush=True)

        statuses: collections.Counter = collections.Counter()
        sent = [0]
        lock = threading.Lock()
        marks: list[tuple[int, float]] = []

        def worker(seed: int) -> None:
            rng = random.Random(seed)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                with lock:
                    if sent[0] >= args.requests:
                        return
                    sent[0] += 1
                    n = sent[0]
                try:
                    connection.request("GET", random_path(rng))
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    status = "connection error"
                with lock:
                    statuses[status] += 1
                if n % 10_000 == 0:
                    rss, each = rss_mb(server.pid)
                    marks.append((n, rss))
                    print(f"  after {n:>7,} requests: RSS {rss:.1f} MB ({show(each)})", flush=True)

        started = time.monotonic()
        threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        end_rss, each = rss_mb(server.pid)
        growth = f"{end_rss / start_rss - 1:+.0%} vs start"
        print(f"RSS after {args.requests:,} requests: {end_rss:.1f} MB ({show(each)}; {growth})")
        print(f"{args.requests / elapsed:.0f} requests/s over {elapsed:.0f} s; statuses: {dict(statuses)}")
        peak = max([rss for _, rss in marks] + [end_rss])
        print(f"peak RSS: {peak:.1f} MB ({peak / start_rss - 1:+.0%} vs start)")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Broadcast latency of the live price feed, from the ingest call to the WebSocket client.

Starts the server on loopback over a bench-only data directory — one uvicorn process
(cryptodt.asgi), or with --serve bin/serve.py as `make run` starts it (granian with
WEB_WORKERS web processes, default 2, and the django-q2 cluster; stream_prices off) —
connects N clients subscribed to BTC, then stores prices through the real ingest
service in this (another) process, one every --every seconds, and times each until
every client has it. With REDIS_URL the price crosses through the Redis channel layer;
without it, through the web process's relay, woken by the storing process (streaming.wake;
polling every WS_RELAY_INTERVAL_S is the fallback). Also prints the server's memory per
idle subscribed socket (per web process and in total, with each process's share of the
sockets), whether the server negotiated permessage-deflate, the CPU the web processes and
the clients spent on the prices, and how long the server took to stop after SIGTERM.

The clients are bare sockets (bench/streaming/ws_clients.py) in --client-procs processes,
so that the clients' own cost does not become what is measured. --server-root runs the
server from another checkout (a reference measured in the same run, e.g. the code before
a change: `git archive <commit> | tar -x -C DIR`).

    .venv/bin/python bench/streaming/feed_latency.py [--clients 200] [--prices 30] [--every 0.5]
        [--client-procs 2] [--server-root DIR] [--no-deflate] [--serve]
"""

import argparse
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


def start_server(root: Path, serve: bool, clients: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ.copy()
    if serve:
        # As `make run`: bin/serve.py prepares the database and starts granian and the task
        # cluster. stream_prices is off (it would only fail to reach the exchange and restart);
        # the cap is raised because each of the processes holds only its share of
        # WS_MAX_CONNECTIONS and the kernel does not split the sockets exactly in half.
        env.update(HOST="127.0.0.1", PORT=str(port), STREAM_PRICES="0", WS_MAX_CONNECTIONS=str(4 * clients))
        command = [sys.executable, "bin/serve.py"]
    else:
        command = [sys.executable, "-m", "uvicorn", "cryptodt.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--no-access-log", "--lifespan", "off", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=root, env=env)
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


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def web_pids(server: subprocess.Popen, serve: bool) -> list[int]:
    """The processes that hold the sockets: uvicorn itself, or granian's workers."""
    if not serve:
        return [server.pid]
    for child in children(server.pid):
        if b"granian" in Path(f"/proc/{child}/cmdline").read_bytes():
            return sorted(children(child))
    raise SystemExit("granian is not running under serve.py")


def tcp_sockets(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def ask(proc: subprocess.Popen, line: str) -> str:
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline()


def run(args, base: str, start: datetime, pids: list[int]) -> tuple[list[float], dict]:
    url = base.replace("http://", "ws://") + "/ws/prices"
    time.sleep(0.5)
    before = {pid: (rss_kib(pid), tcp_sockets(pid)) for pid in pids}
    per, extra = divmod(args.clients, args.client_procs)
    shares = [per + (n < extra) for n in range(args.client_procs)]
    command = [sys.executable, "-m", "bench.streaming.ws_clients", url]
    flags = [] if args.deflate else ["--no-deflate"]
    procs = [
        subprocess.Popen(command + [str(n), *flags], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for n in shares
        if n
    ]
    try:
        for proc in procs:
            if proc.stdout.readline().strip() != "ready":
                raise SystemExit("clients did not get ready")
        time.sleep(1)
        after = {pid: (rss_kib(pid), tcp_sockets(pid)) for pid in pids}
        stats = {"processes": []}
        for pid in pids:
            (rss0, fds0), (rss1, fds1) = before[pid], after[pid]
            row = {"pid": pid, "rss_before_kib": rss0, "rss_after_kib": rss1, "sockets": fds1 - fds0}
            stats["processes"].append(row)
        stats["rss_before_mib"] = sum(before[pid][0] for pid in pids) / 1024
        stats["rss_after_mib"] = sum(after[pid][0] for pid in pids) / 1024
        stats["kib_per_socket"] = (stats["rss_after_mib"] - stats["rss_before_mib"]) * 1024 / args.clients
        print(f"{args.clients} sockets subscribed; storing prices", file=sys.stderr, flush=True)
        server_cpu = sum(cpu_s(pid) for pid in pids)
        sent: dict[str, float] = {}
        for n in range(1, args.prices + 1):
            t = start + timedelta(seconds=n)
            quote = Quote(coin_id="bitcoin", symbol="BTC", price=Decimal(65000 + n), as_of=t)
            sent[t.strftime("%Y-%m-%dT%H:%M:%SZ")] = time.time()
            ingest.ingest_quotes(quotes=[quote], source="binance")
            time.sleep(args.every)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(int(ask(p, "count")) for p in procs) < args.clients * args.prices:
            time.sleep(0.2)
        stats["server_cpu_ms_per_price"] = (sum(cpu_s(pid) for pid in pids) - server_cpu) * 1000 / args.prices
        dumps = [json.loads(ask(p, "dump")) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    stats["client_cpu_s"] = sum(d["cpu_s"] for d in dumps)
    stats["lost"] = sum(d["lost"] for d in dumps)
    stats["deflated"] = sum(d["deflated"] for d in dumps)
    arrivals = [(k, arrived) for d in dumps for k, times in d["arrivals"].items() if k in sent for arrived in times]
    latencies = [(arrived - sent[k]) * 1000 for k, arrived in arrivals]
    return latencies, stats


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--prices", type=int, default=30)
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--server-root", type=Path, default=ROOT)
    parser.add_argument("--no-deflate", dest="deflate", action="store_false")
    parser.add_argument("--serve", action="store_true", help="bin/serve.py (granian, WEB_WORKERS), not uvicorn")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = seed()
    load = os.getloadavg()
    server, base = start_server(args.server_root, args.serve, args.clients)
    try:
        latencies, stats = run(args, base, start, web_pids(server, args.serve))
    finally:
        stopping = time.monotonic()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("warning: the server did not stop within 30 s of SIGTERM; killed", file=sys.stderr)
            server.kill()
            server.wait()
        stop_s = time.monotonic() - stopping
    ordered = sorted(latencies) or [float("nan")]

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    profile = "Redis channel layer" if os.environ.get("REDIS_URL") else "embedded (relay)"
    kind = "bin/serve.py (granian)" if args.serve else "uvicorn, one process"
    print(f"profile: {profile}; server {kind} from {args.server_root}")
    print(f"clients {args.clients} in {args.client_procs} processes")
    offer = "offered" if args.deflate else "not offered"
    print(f"prices {args.prices}, one every {args.every} s; deflate {offer}, negotiated by {stats['deflated']} sockets")
    print(f"load average at start {load[0]:.2f}, at end {os.getloadavg()[0]:.2f}")
    print(f"deliveries: {len(latencies)}/{args.clients * args.prices}; sockets lost {stats['lost']}")
    print(f"latency ms: p50 {at(0.5):.1f}  p90 {at(0.9):.1f}  p99 {at(0.99):.1f}  max {ordered[-1]:.1f}")
    print(f"mean {statistics.fmean(ordered):.1f} ms")
    print(
        f"server memory: {stats['rss_before_mib']:.0f} MiB before, {stats['rss_after_mib']:.0f} MiB with "
        f"{args.clients} idle sockets: {stats['kib_per_socket']:.1f} KiB per idle subscribed socket"
    )
    for proc in stats["processes"]:
        grown = proc["rss_after_kib"] - proc["rss_before_kib"]
        per = grown / proc["sockets"] if proc["sockets"] else float("nan")
        print(
            f"  web process {proc['pid']}: {proc['sockets']} sockets, {proc['rss_before_kib'] / 1024:.0f} -> "
            f"{proc['rss_after_kib'] / 1024:.0f} MiB, {per:.1f} KiB per socket"
        )
    cpu = stats["server_cpu_ms_per_price"]
    print(f"web processes' CPU per price: {cpu:.1f} ms; all clients' CPU: {stats['client_cpu_s']:.1f} s")
    print(f"server stopped {stop_s:.1f} s after SIGTERM")


if __name__ == "__main__":
    main()

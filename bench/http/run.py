"""HTTP serving benchmark: one cached read, several server set-ups, one table.

    .venv/bin/python bench/http/run.py                      # every candidate, /bench/cached
    .venv/bin/python bench/http/run.py --url '/api/prices?symbols=BTC,ETH' --only serve.py --data-dir data
    .venv/bin/python bench/http/run.py --duration 15 --connections 100

Each candidate server is started on a free loopback port with a fresh DATA_DIR and the
bench settings (bench/http/settings.py adds /bench/cached, a stand-in for a cached price
read), warmed up, loaded with wrk for a bounded time, then stopped. Needs `wrk`
(apt-get install wrk). Other load on the machine skews the numbers: the table prints
the load average seen before each run.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.http.servers import CANDIDATES, PYTHON, REFERENCES, TABLE_URLS, serve_py, table_rows  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 60, headers: dict | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def group_cpu_s(pgid: int) -> float:
    """User + system CPU seconds of every live process in the server's process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for pct in ("50", "99"):
        match = re.search(rf"^\s+{pct}(?:\.000)?%\s+(\S+)", output, re.M)
        result[f"p{pct}"] = _ms(match.group(1)) if match else float("nan")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    result["bad"] = (int(non_2xx.group(1)) if non_2xx else 0, errors.group(1) if errors else "")
    return result


def run_one(name: str, command, args, data_dir: str, redis_url: str, *, extra_env: dict | None = None) -> dict:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WEB_WORKERS"}}
    env |= {"DJANGO_SETTINGS_MODULE": "bench.http.settings", "DATA_DIR": data_dir, "DEBUG": "1"}
    env.setdefault("RATE_ANON", "1000000/m")  # measure serving, not the limiter's 429s
    env.setdefault("RATE_PRO", "1000000/m")
    env |= extra_env or {}
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.setdefault("WEB_THREADS", str(args.threads))
    proc = subprocess.Popen(
        command(port, env),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}{args.url}"
    try:
        wait_until_serving(url, proc, headers=dict(h.split(": ", 1) for h in args.header))
        headers = [part for header in args.header for part in ("-H", header)]
        subprocess.run(["wrk", "-t2", f"-c{args.connections}", "-d2s", *headers, url], capture_output=True, check=True)
        load = os.getloadavg()[0]
        cpu_before = group_cpu_s(proc.pid)
        wrk = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", *headers, url],
            capture_output=True,
            text=True,
            check=True,
        )
        cpu = group_cpu_s(proc.pid) - cpu_before
        result = parse_wrk(wrk.stdout)
        served = result["rps"] * args.duration
        # CPU the server spent per answer: unlike req/s, barely moved by other load on the box.
        result["cpu_us"] = cpu / served * 1e6 if served else float("nan")
        return {"name": name, "load": load, **result}
    finally:
        stop(proc)


def table(args) -> int:
    """Every row of issue 13's table plus cryptodt's, in one run, with ratios to the references
    (``--only`` selects rows; the references always run)."""
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="cryptodt-bench-")
    seeded = subprocess.run(
        [PYTHON, "bench/http/seed.py", data_dir], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    pro_key = re.search(r"pro: (\S+)", seeded).group(1)
    pro_jwt = re.search(r"pro-jwt: (\S+)", seeded).group(1)
    body_file = Path(data_dir) / "answer.json"
    prices = TABLE_URLS["prices"]
    rows = [
        row
        for row in table_rows(pro_key=pro_key, pro_jwt=pro_jwt, redis_url=args.redis_url)
        if row[0] in REFERENCES or not args.only or args.only in row[0]
    ]
    # The references answer cryptodt's own bytes for the prices read.
    body_file.write_bytes(_answer_of(prices, data_dir))
    print(
        f"{len(body_file.read_bytes())}-byte answer; wrk -t2 -c{args.connections} -d{args.duration}s; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| what answers | req/s | p50 ms | p99 ms | x bare ASGI | x minimal Django 2w "
        "| server CPU µs/request | non-2xx / errors | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    references: dict[str, float] = {}
    for name, command, url, headers, redis_url in rows:
        args.url, args.header = url, headers
        try:
            row = run_one(name, command, args, data_dir, redis_url, extra_env={"BENCH_BODY_FILE": str(body_file)})
        except Exception as exc:
            print(f"| {name} | failed: {exc} | | | | | | | |", flush=True)
            continue
        references.setdefault(
            "bare" if name.startswith("bare") else "django2" if name.startswith("minimal Django app, one") else "",
            row["rps"],
        )
        bare = row["rps"] / references["bare"] if references.get("bare") else float("nan")
        django2 = row["rps"] / references["django2"] if references.get("django2") else float("nan")
        bad = f"{row['bad'][0]} / {row['bad'][1] or 0}"
        print(
            f"| {name} | {row['rps']:,.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {bare:.2f} | {django2:.2f} "
            f"| {row['cpu_us']:.0f} | {bad} | {row['load']:.2f} |",
            flush=True,
        )
    return 0


def _answer_of(url: str, data_dir: str) -> bytes:
    """cryptodt's answer to ``url``, from a short-lived serve.py."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WEB_WORKERS"}}
    env |= {"DJANGO_SETTINGS_MODULE": "bench.http.settings", "DATA_DIR": data_dir, "DEBUG": "1"}
    proc = subprocess.Popen(
        serve_py(1)(port, env),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_serving(f"http://127.0.0.1:{port}{url}", proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=5) as response:
            return response.read()
    finally:
        stop(proc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="/bench/cached", help="path (and query) to load; must answer 200")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per candidate")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=8, help="WEB_THREADS for the bridge candidates")
    parser.add_argument("--only", default="", help="run only candidates whose name contains this text")
    parser.add_argument(
        "--data-dir", default="", help="use this DATA_DIR (e.g. one with collected prices) instead of a fresh one"
    )
    parser.add_argument(
        "--header", action="append", default=[], help='extra request header, e.g. "X-API-Key: cdt_..." (repeatable)'
    )
    parser.add_argument("--redis-url", default="", help="also run the scale-out rows against this Redis")
    parser.add_argument(
        "--table", action="store_true", help="issue 13's table: bare ASGI, minimal Django and cryptodt, one run"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    if args.table:
        return table(args)

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="cryptodt-bench-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.http.settings", "DATA_DIR": data_dir}
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)

    named = " ".join(h.split(":")[0] for h in args.header)
    load = f"wrk -t2 -c{args.connections} -d{args.duration}s"
    print(f"GET {args.url} {named}, {load}, {os.cpu_count()} CPUs, loopback\n")
    print("| set-up | req/s | p50 ms | p99 ms | non-2xx / socket errors | load avg before |")
    print("|---|---:|---:|---:|---|---:|")
    for name, (command, profile) in CANDIDATES.items():
        if args.only and args.only not in name:
            continue
        if profile == "redis" and not args.redis_url:
            print(f"| {name} | skipped: needs --redis-url | | | | |", flush=True)
            continue
        try:
            row = run_one(name, command, args, data_dir, args.redis_url if profile == "redis" else "")
        except Exception as exc:
            print(f"| {name} | failed: {exc} | | | | |", flush=True)
            continue
        bad = f"{row['bad'][0]} / {row['bad'][1] or 0}"
        print(
            f"| {name} | {row['rps']:,.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {bad} | {row['load']:.2f} |",
            flush=True,
        )
    if not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the request metrics cost: written to prometheus_client's multiprocess series on
every request (as before) against counted per process and folded in batches
(cryptodt.metrics.count_request), alone and inside a whole fast-path ASGI call.

    .venv/bin/python bench/http/metrics_cost.py DATA_DIR ['/api/prices?symbols=BTC,ETH'] [--rounds 10]

DATA_DIR is one that bench/http/seed.py filled. The two ways alternate round by round in
one process; each round's time is the process's CPU time (the flush timer's thread
included), and the median of the rounds is printed, in µs per call / per request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("url", nargs="?", default="/api/prices?symbols=BTC,ETH")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", type=int, default=20000, help="calls (requests) per round")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
    os.environ.setdefault("RATE_ANON", "1000000000/m")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from bench.http.profile_path import _fast_decision
    from cryptodt import metrics, observability

    def per_request(route, method, status, seconds) -> None:
        # What count_request did before the batches: three mmap writes.
        requests, latency = metrics._http_series(route, method, status)
        requests.inc()
        latency.observe(seconds)

    ways = {"per request": per_request, "batched": metrics.count_request}

    def alone(count):
        def run() -> None:
            for i in range(args.calls):
                count("/api/prices", "GET", 200, 0.0001 * (i & 63))

        return run

    path, _, query = args.url.partition("?")
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1:8000")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 40000),
        "http_version": "1.1",
        "scheme": "http",
    }
    whole = _fast_decision(scope, path, whole_call=True)

    def asgi(count):
        def run() -> None:
            observability.count_request = count  # what cryptodt.fastpath calls
            for _ in range(args.calls):
                whole()

        return run

    benches = (("count_request alone, µs per call", alone), (f"ASGI call of {args.url}, µs per request", asgi))
    for what, bench in benches:
        rounds = {name: [] for name in ways}
        for count in ways.values():
            bench(count)()  # warm up
        for _ in range(args.rounds):
            for name, count in ways.items():
                run = bench(count)
                metrics.flush_http()
                started = time.process_time()
                run()
                metrics.flush_http()  # the batch's own writes belong to its cost
                rounds[name].append((time.process_time() - started) * 1e6 / args.calls)
        print(what)
        for name, values in rounds.items():
            print(f"  {name:12} {statistics.median(values):6.2f}  (rounds: {', '.join(f'{v:.2f}' for v in values)})")
    observability.count_request = metrics.count_request
    return 0


if __name__ == "__main__":
    sys.exit(main())

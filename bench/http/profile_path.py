"""CPU per request of one endpoint through Django's WSGI handler, in process, no server.

    .venv/bin/python bench/http/profile_path.py DATA_DIR '/api/prices?symbols=BTC,ETH' [--header "X-API-Key: ..."]
        [--requests 5000] [--profile] [--redis-url redis://127.0.0.1:6379/15]

DATA_DIR is one that bench/http/seed.py filled. Each request is built the way
cryptodt.wsgi_bridge builds it from an ASGI scope and runs through the same WSGI call;
only the thread hop and the server are missing. Prints CPU µs per request (median of five
rounds of CPU time), and with --profile the functions that cost the most (cProfile, cumulative).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir")
    parser.add_argument("url")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--fast", action="store_true", help="time cryptodt.fastpath's decision instead of Django")
    parser.add_argument(
        "--asgi", action="store_true", help="time the whole ASGI call (cryptodt.asgi.application), server left out"
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ["DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
    for name in ("RATE_ANON", "RATE_FREE", "RATE_PRO"):
        os.environ.setdefault(name, "1000000000/m")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.redis_url:
        os.environ["REDIS_URL"] = args.redis_url
    from django.core.wsgi import get_wsgi_application

    from cryptodt.wsgi_bridge import _run_wsgi, build_environ

    app = get_wsgi_application()
    path, _, query = args.url.partition("?")
    headers = [(b"host", b"127.0.0.1:8000")]
    headers += [(h.split(":", 1)[0].strip().lower().encode(), h.split(":", 1)[1].strip().encode()) for h in args.header]
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 40000),
        "http_version": "1.1",
        "scheme": "http",
    }

    def one() -> None:
        status, _headers, body = _run_wsgi(app, build_environ(scope, b""))
        if status != 200:
            raise SystemExit(f"{args.url} answered {status}: {body[:300]!r}")

    if args.fast or args.asgi:
        one = _fast_decision(scope, path, whole_call=args.asgi)

    for _ in range(200):
        one()
    rounds, cpu_rounds = [], []
    for _ in range(5):
        started, cpu_started = time.perf_counter(), time.thread_time()
        for _ in range(args.requests // 5):
            one()
        rounds.append((time.perf_counter() - started) * 1e6 / (args.requests // 5))
        cpu_rounds.append((time.thread_time() - cpu_started) * 1e6 / (args.requests // 5))
    # This thread's CPU time is what a request costs; wall time also counts waiting for
    # the cores while other work runs on the machine.
    print(
        f"{args.url}: {statistics.median(cpu_rounds):.0f} µs CPU per request "
        f"(wall {statistics.median(rounds):.0f} µs; CPU rounds: {', '.join(f'{r:.0f}' for r in cpu_rounds)})"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests // 5):
            one()
        profiler.disable()
        if os.environ.get("PROFILE_OUT"):
            profiler.dump_stats(os.environ["PROFILE_OUT"])
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return 0


def _fast_decision(scope: dict, path: str, *, whole_call: bool = False):
    """FastPath.decide for the scope, after Django answered it once (cached, headers learnt);
    with ``whole_call``, the application's whole call for it: what runs on the server's
    event loop, the server's own work (parsing, the socket, its threads) left out."""
    import asyncio

    from cryptodt import asgi
    from cryptodt.fastpath import ROUTES, _meta

    fast = asgi.fast_path

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    sent = []
    asyncio.run(asgi.application(scope, receive, send))

    def whole() -> None:
        sent.clear()
        call = asgi.application(scope, receive, send)
        try:
            call.send(None)  # nothing in it waits when the answer is a hit: it ends at once
        except StopIteration:
            pass
        if sent[0]["status"] != 200:
            raise SystemExit(f"{path} answered {sent[0]['status']}")

    if whole_call:
        return whole

    def one() -> None:
        outcome = fast.decide(scope, ROUTES[path], _meta(scope))
        if not isinstance(outcome, tuple) or outcome[0] != 200:
            raise SystemExit(f"the fast path did not answer {path}: {outcome!r}")

    return one


if __name__ == "__main__":
    sys.exit(main())

"""Issue 3's provider benchmarks: parsing and normalising a 1,000-coin market payload, and
the cost of a failover when the primary's breaker is already open.

    .venv/bin/python bench/providers/parse_and_failover.py [--coins 1000] [--rounds 30]

The failover leg orders the "markets" capability as coincap → coingecko, keeps CoinCap's
breaker open (its base URL points at a closed local port) and serves CoinGecko's format from
a local stand-in; the baseline is the same fetch with CoinCap disabled.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.data.collect_cycle import StandIn, market_rows  # noqa: E402
from bench.data.common import percentiles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coins", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    StandIn.rows = market_rows(args.coins)
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["COINGECKO_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}/api/v3"
    os.environ["COINCAP_BASE_URL"] = "http://127.0.0.1:9"
    os.environ["BENCH_DATA_DIR"] = str(Path(__file__).resolve().parents[2] / "bench" / "results" / "providers")

    from bench.data.common import setup_django

    setup_django(fresh=True)
    from markets.models import CapabilitySetting, ProviderSetting
    from markets.providers import breaker, config, router
    from markets.providers.coingecko import parse_markets
    from markets.providers.payload import decode_json

    pages = [json.dumps(StandIn.rows[i : i + 250]).encode() for i in range(0, args.coins, 250)]
    parse_ms = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        rows = []
        for page in pages:
            rows += parse_markets(decode_json("coingecko", "coins/markets", page), vs="usd")
        parse_ms.append((time.perf_counter() - started) * 1000)
        assert len(rows) == args.coins

    def fetch_ms() -> float:
        started = time.perf_counter()
        fetched = router.fetch_markets(limit=args.coins)
        elapsed = (time.perf_counter() - started) * 1000
        assert fetched.provider == "coingecko" and len(fetched.data) == args.coins, fetched.provider
        return elapsed

    CapabilitySetting.objects.update_or_create(capability="markets", defaults={"order": "coincap,coingecko"})
    ProviderSetting.objects.update_or_create(
        name="coincap", defaults={"enabled": True, "budget_per_minute": 10**6, "budget_per_month": 10**9}
    )
    ProviderSetting.objects.update_or_create(
        name="coingecko", defaults={"enabled": True, "budget_per_minute": 10**6, "budget_per_month": 10**9}
    )
    config.forget()
    breaker.reset("coincap")
    for _ in range(10):  # trip CoinCap's breaker for real (connection refused)
        breaker.record_failure("coincap")
    assert breaker.read("coincap").state == "open"
    fetch_ms()  # warm-up
    failover = [fetch_ms() for _ in range(args.rounds)]

    ProviderSetting.objects.filter(name="coincap").update(enabled=False)
    config.forget()
    fetch_ms()
    direct = [fetch_ms() for _ in range(args.rounds)]
    server.shutdown()

    p, f, d = percentiles(parse_ms), percentiles(failover), percentiles(direct)
    lines = [
        f"parse + validate + normalise {args.coins} CoinGecko market rows (4 pages of 250, JSON bytes → MarketRow): "
        f"p50 {p['p50']} ms, p95 {p['p95']} ms (n={p['n']})",
        f"fetch_markets({args.coins}) with the primary's breaker open, served by the secondary: "
        f"p50 {f['p50']} ms, p95 {f['p95']} ms (n={f['n']})",
        f"the same fetch with the primary disabled (no failover at all): p50 {d['p50']} ms, p95 {d['p95']} ms "
        f"(n={d['n']}) → failover overhead p50 {f['p50'] - d['p50']:+.2f} ms",
    ]
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()

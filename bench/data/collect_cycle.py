"""One full collection cycle of 1,000 coins (collect_all: ranked listing in CoinGecko's
format from a local stand-in server, global stats, trending, roll-up), parse to commit.
The directory steps that came later (exchange rates, categories, DeFi, asset platforms)
get the recorded answers under tests/fixtures, so every step of the cycle succeeds.

    .venv/bin/python bench/data/collect_cycle.py [--coins 1000] [--cycles 3]
"""

import argparse
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.data.common import append_results, percentiles  # noqa: E402

RECORDED = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "providers" / "coingecko"
RECORDED_ANSWERS = {
    "/exchange_rates": "exchange_rates.json",
    "/coins/categories": "coins_categories.json",
    "/global/decentralized_finance_defi": "global_defi.json",
    "/asset_platforms": "asset_platforms.json",
}


def market_rows(coins: int) -> list[dict]:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return [
        {
            "id": f"coin-{i:04d}",
            "symbol": f"c{i}",
            "name": f"Coin {i}",
            "image": f"https://assets.example/coin-{i}.png",
            "current_price": round(60000 / (1 + i) ** 1.7, 10),
            "market_cap": 10**12 // (i + 1),
            "market_cap_rank": i + 1,
            "total_volume": 123456789,
            "price_change_percentage_24h": -1.25,
            "circulating_supply": 19000000.0,
            "last_updated": now,
        }
        for i in range(coins)
    ]


class StandIn(BaseHTTPRequestHandler):
    rows: list[dict] = []

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.endswith("/coins/markets"):
            size, page = int(query.get("per_page", 100)), int(query.get("page", 1))
            body = self.rows[(page - 1) * size : page * size]
        elif url.path == "/api/v3/ticker/24hr":
            close_ms = int(time.time() * 1000)
            body = [
                {
                    "symbol": f"C{i}USDT",
                    "lastPrice": f"{row['current_price']:.10f}",
                    "priceChangePercent": "-1.250",
                    "quoteVolume": "123456789.12",
                    "closeTime": close_ms,
                }
                for i, row in enumerate(self.rows)
            ]
        elif url.path.endswith("/global"):
            body = {
                "data": {
                    "active_cryptocurrencies": 1000,
                    "total_market_cap": {"usd": 2.5e12},
                    "total_volume": {"usd": 9e10},
                    "market_cap_percentage": {"btc": 51.2, "eth": 17.1},
                    "market_cap_change_percentage_24h_usd": 1.5,
                    "updated_at": int(time.time()),
                }
            }
        elif url.path.endswith("/search/trending"):
            body = {
                "coins": [
                    {"item": {"id": f"coin-{i:04d}", "symbol": f"c{i}", "name": f"Coin {i}", "score": i}}
                    for i in range(7)
                ]
            }
        elif recorded := next((f for p, f in RECORDED_ANSWERS.items() if url.path.endswith(p)), None):
            body = json.loads((RECORDED / recorded).read_text())
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coins", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    args = parser.parse_args()
    StandIn.rows = market_rows(args.coins)
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["COINGECKO_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}/api/v3"
    os.environ["BINANCE_BASE_URL"] = f"http://127.0.0.1:{server.server_address[1]}"
    os.environ["TRACKED_COINS"] = str(args.coins)
    # The budget is kept in DATA_DIR across runs: two runs within a minute would use up
    # CoinGecko's 30 calls and fail, which is not what this measures.
    os.environ["COINGECKO_BUDGET_PER_MINUTE"] = "100000"
    os.environ["BENCH_DATA_DIR"] = str(Path(__file__).resolve().parents[2] / "bench" / "results" / "collect")

    from bench.data.common import setup_django

    setup_django(fresh=True)
    from markets.models import PriceSnapshot
    from markets.services import collect

    # CPU of this process (the collection and the stand-in's answers alike): steadier than
    # the wall clock when other work shares the machine.
    durations, cpu, lines = [], [], []
    for cycle in range(args.cycles):
        StandIn.rows = market_rows(args.coins)  # a fresh as_of each cycle: new rows, not upserts of old ones
        started, cpu_started = time.perf_counter(), time.process_time()
        results = collect.collect_all()
        durations.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        failed = [r.line() for r in results if not r.ok]
        if failed:
            raise SystemExit(f"cycle {cycle} failed: {failed}")
        time.sleep(1.1)  # as_of has one-second resolution
    stats = percentiles(durations)
    stored = PriceSnapshot.objects.count()
    lines = [
        f"{args.coins} coins, {args.cycles} full cycles of collect_all (ranked listing in 4 pages, global, trending) "
        f"against a local CoinGecko stand-in (HTTP + parse + validate + upsert + commit): each cycle "
        f"{', '.join(f'{d:.0f}' for d in durations)} ms, mean {stats['mean']:.0f} ms (goal < 2000 ms); "
        f"{stored} snapshots stored; CPU {', '.join(f'{c:.0f}' for c in cpu)} ms",
    ]

    # The scheduled cycle between listings: live prices from Binance's one all-market ticker call.
    from markets.models import Coin

    for coin in Coin.objects.all():
        coin.binance_pair = f"{coin.symbol}USDT"
        coin.save(update_fields=["binance_pair"])
    collect.collect_all(due_only=True)  # marks the listing, global and trending as done
    durations, cpu = [], []
    for _ in range(args.cycles):
        time.sleep(1.1)
        started, cpu_started = time.perf_counter(), time.process_time()
        results = collect.collect_all(due_only=True)
        durations.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        prices = next(r for r in results if r.name == "prices")
        if not prices.ok or prices.stored != args.coins:
            raise SystemExit(f"price cycle failed: {prices.line()}")
    server.shutdown()
    lines.append(
        f"{args.coins} coins, {args.cycles} scheduled price cycles (collect_all --due-only: one Binance all-market "
        f"ticker call, parse, upsert, commit): each cycle {', '.join(f'{d:.0f}' for d in durations)} ms; "
        f"CPU {', '.join(f'{c:.0f}' for c in cpu)} ms"
    )
    for line in lines:
        print(line)
    append_results("One collection cycle", f".venv/bin/python bench/data/collect_cycle.py --coins {args.coins}", lines)


if __name__ == "__main__":
    main()

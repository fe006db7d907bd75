"""Steady-state size and query speed: 1,000 coins, 7 days of raw 5-minute snapshots and
90 days of hourly bars (what 90 days at a 5-minute cadence leaves after retention).

    .venv/bin/python bench/data/storage.py [--coins 1000]
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.data.common import append_results, database_bytes, generate_steady_state, percentiles, setup_django  # noqa: E402


def timed(call, samples: int) -> dict:
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        durations.append((time.perf_counter() - started) * 1000)
    return percentiles(durations)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--coins", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=60)
    args = parser.parse_args()
    setup_django(fresh=True)

    from django.conf import settings

    from markets import selectors
    from markets.models import Coin

    made = generate_steady_state(
        coins=args.coins, raw_days=settings.RAW_RETENTION_DAYS, hourly_days=settings.HISTORY_RETENTION_DAYS
    )
    size = database_bytes()
    coins = list(Coin.objects.all())
    rng = random.Random(7)

    def history(days, resolution="auto"):
        return lambda: selectors.price_history(coin=rng.choice(coins), days=days, resolution=resolution)

    symbols = [c.symbol for c in coins[:50]]
    results = {
        "history days=1 (raw, ~288 points)": timed(history(1), args.samples),
        "history days=7 (raw, ~2016 points)": timed(history(7), args.samples),
        "history days=30 (hourly, 720 points)": timed(history(30), args.samples),
        "history days=90 (hourly, 2160 points)": timed(history(90), args.samples),
        "history days=365 daily": timed(history(365, "daily"), args.samples),
        "market limit=100": timed(lambda: selectors.market(limit=100, vs="usd"), args.samples),
        "prices 50 symbols": timed(
            lambda: selectors.latest_prices(coins=selectors.resolve_symbols(symbols=symbols), vs="usd"), args.samples
        ),
    }
    from datetime import timedelta

    from markets.models import RollupState
    from markets.services.rollup import prune, rolled_until, rollup_hours

    state = RollupState.objects.get(name="prices")
    state.rolled_until -= timedelta(hours=1)
    state.save()
    started = time.perf_counter()
    bars = rollup_hours()
    rollup_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    pruned = prune(now=rolled_until() + timedelta(days=1), archive_dir="")
    prune_ms = (time.perf_counter() - started) * 1000
    lines = [
        f"generated {made['coins']} coins: {made['raw_rows']:,} raw rows + {made['hourly_rows']:,} hourly bars "
        f"in {made['seconds']} s",
        f"steady-state database size: {size / 1024 / 1024:.0f} MiB (goal < 1 GB)",
        f"hourly roll-up of {args.coins} coins (one new hour plus the two re-rolled): {bars} bars "
        f"in {rollup_ms:.0f} ms",
        f"daily prune one day later: {pruned.raw_rows:,} raw rows and {pruned.hourly_rows:,} hourly bars deleted "
        f"in {prune_ms:.0f} ms",
        "selector timings in-process, no cache (ms):",
    ]
    lines += [f"  {name}: p50 {r['p50']}, p95 {r['p95']}, p99 {r['p99']} (n={r['n']})" for name, r in results.items()]
    for line in lines:
        print(line)
    command = f".venv/bin/python bench/data/storage.py --coins {args.coins}"
    append_results("Steady-state size and query speed", command, lines)


if __name__ == "__main__":
    main()

"""Alert evaluation with 100,000 rules: one price cycle (250 coins changed), one exchange
tick (1 coin), and a cycle in which 1% of the rules fire; the ingest of the same cycle
without alert evaluation is the reference, measured in the same run.

    .venv/bin/python bench/alerts/evaluate.py [--rules 100000] [--coins 250]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATA_DIR", str(ROOT / "bench" / "results" / "alerts"))

from bench.data.common import _machine, generate_steady_state, setup_django  # noqa: E402


def ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):.1f} ms, min {min(samples):.1f}, max {max(samples):.1f} (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=100_000)
    parser.add_argument("--coins", type=int, default=250)
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()
    setup_django(fresh=True)

    from django.contrib.auth import get_user_model

    from alerts.models import AlertRule, Firing
    from alerts.services import delivery
    from alerts.services.evaluate import evaluate_prices, on_prices_stored
    from markets.models import Coin, LatestQuote, PriceSnapshot
    from markets.services import ingest
    from markets.signals import prices_stored
    from providers.records import Quote

    delivery.enqueue = lambda pks: len(pks)  # the queue's own cost is not evaluation's
    generate_steady_state(coins=args.coins, raw_days=2, hourly_days=1)
    coins = list(Coin.objects.order_by("pk"))
    base = {q.coin_id: Decimal(q.price) for q in LatestQuote.objects.all()}
    # Cycles run an hour back (ingest refuses future times), 10 s apart, off the 5-minute marks.
    now_t = LatestQuote.objects.values_list("t", flat=True).first() - timedelta(hours=1)
    LatestQuote.objects.update(t=now_t)
    steps = iter(range(1, 10_000))

    def next_t():
        return now_t + timedelta(seconds=7 + 10 * next(steps))

    unusable = "!"  # no password can match it
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-{i}", password=unusable) for i in range(max(1, args.rules // 100))]
    )
    rng = random.Random(5)
    rules = []
    for i in range(args.rules):
        coin = coins[i % len(coins)]
        price = base[coin.pk]
        kind = i % 10
        common = {"user": users[i % len(users)], "coin": coin, "last_met": False, "repeat": True}
        if kind < 4:  # 1 in 100 rules sits 5% above the price: the jump cycle crosses it
            threshold = price * Decimal("1.05") if i % 100 == 0 else price * Decimal(rng.uniform(1.3, 3))
            rules.append(AlertRule(condition="price_above", threshold=threshold, **common))
        elif kind < 8:
            rules.append(AlertRule(condition="price_below", threshold=price * Decimal(rng.uniform(0.2, 0.7)), **common))
        else:
            window = "1h" if kind == 8 else "24h"
            threshold = Decimal(rng.choice([-30, -20, 20, 30]))
            rules.append(AlertRule(condition="change_pct", window=window, threshold=threshold, **common))
    AlertRule.objects.bulk_create(rules, batch_size=2000)

    def cycle(t, factor) -> list:
        return [
            Quote(coin_id=c.coin_id, symbol=c.symbol, price=base[c.pk] * Decimal(factor(c)), as_of=t) for c in coins
        ]

    def stored(t) -> list:
        return list(PriceSnapshot.objects.filter(t=t).select_related("coin"))

    prices_stored.disconnect(dispatch_uid="alerts.evaluate_prices")

    def ingest_ms(quotes) -> float:
        return ms(lambda: ingest.ingest_quotes(quotes=quotes, source="bench"))

    def evaluate_ms(snapshots) -> float:
        return ms(lambda: evaluate_prices(snapshots=snapshots))

    quiet_eval, reference, tick_eval = [], [], []
    for _ in range(args.cycles):
        t = next_t()
        reference.append(ingest_ms(cycle(t, lambda c: 1 + rng.uniform(-0.001, 0.001))))
        quiet_eval.append(evaluate_ms(stored(t)))
    for n in range(20):
        t = next_t()
        coin = coins[n % len(coins)]
        ingest_ms([Quote(coin_id=coin.coin_id, symbol=coin.symbol, price=base[coin.pk], as_of=t)])
        tick_eval.append(evaluate_ms(stored(t)))

    t = next_t()
    ingest_ms(cycle(t, lambda c: Decimal("1.10")))
    firing_ms = evaluate_ms(stored(t))
    fired = Firing.objects.count()

    # The whole cycle as production runs it: ingest with the hook connected.
    prices_stored.connect(on_prices_stored, dispatch_uid="alerts.evaluate_prices")
    hooked = []
    for _ in range(args.cycles):
        hooked.append(ingest_ms(cycle(next_t(), lambda c: Decimal("1.10") * Decimal(1 + rng.uniform(-0.001, 0.001)))))

    lines = [
        f"Machine: {_machine()}; SQLite (WAL), shared with other jobs.",
        f"{args.rules} active rules over {args.coins} coins (40% price_above, 40% price_below, 20% change_pct 1h/24h).",
        f"Reference, same run: ingest of one {args.coins}-coin price cycle without evaluation: {summary(reference)}",
        f"Evaluation of one quiet cycle ({args.coins} coins changed, no rule crosses): {summary(quiet_eval)}",
        f"Evaluation of one exchange tick (1 coin changed, {args.rules // args.coins} rules): {summary(tick_eval)}",
        f"Evaluation of a cycle in which {fired} rules fire (firings and deliveries written): {firing_ms:.1f} ms",
        f"Ingest with evaluation hooked, quiet cycles: {summary(hooked)}",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()

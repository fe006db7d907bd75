"""Shared bench plumbing: a Django set up on a bench-only data directory, the steady-state
data generator, percentile maths and the BENCHMARKS.md appender."""

import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "bench" / "results" / "data"))


def setup_django(*, fresh: bool) -> None:
    """Point Django at the bench data directory (never the real one) and migrate it."""
    sys.path.insert(0, str(ROOT))
    if fresh and BENCH_DIR.exists():
        for path in BENCH_DIR.glob("cryptodt.sqlite3*"):
            path.unlink()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(BENCH_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {
        "n": len(ordered),
        "p50": round(at(0.50), 2),
        "p95": round(at(0.95), 2),
        "p99": round(at(0.99), 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def append_results(title: str, command: str, lines: list[str]) -> None:
    """Append one run under the `## data (persistence)` heading of BENCHMARKS.md."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    heading = "## data (persistence)"
    if heading not in text:
        text = text.rstrip() + f"\n\n{heading}\n\nMachine: {_machine()}.\n"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    items = "\n".join(f"  - {line.strip()}" if line.startswith("  ") else f"- {line}" for line in lines)
    block = f"\n### {title} ({stamp})\n\n`{command}`\n\n{items}\n"
    # Keep every run of this area together: insert before the next "## " heading, if any.
    start = text.index(heading)
    after = text.find("\n## ", start + len(heading))
    text = text + block if after == -1 else text[:after].rstrip() + "\n" + block + text[after:]
    path.write_text(text)


def _machine() -> str:
    cores = os.cpu_count()
    try:
        mem_kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "?"
    return f"{cores}-core, {mem}, {platform.python_implementation()} {platform.python_version()}"


def generate_steady_state(*, coins: int, raw_days: int, hourly_days: int, cadence_min: int = 5) -> dict:
    """What the database holds after running long enough: RAW_RETENTION_DAYS of raw 5-minute
    snapshots and HISTORY_RETENTION_DAYS of hourly bars for every coin."""
    from django.db import connection, transaction

    from markets.models import Coin, LatestQuote, RollupState

    rng = random.Random(42)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % cadence_min)
    hour = now.replace(minute=0)
    adapt = connection.ops.adapt_datetimefield_value
    started = time.perf_counter()

    Coin.objects.bulk_create(
        [
            Coin(
                coin_id=f"coin-{i:04d}",
                symbol=f"C{i}",
                name=f"Coin {i}",
                market_cap_rank=i + 1,
                market_cap=10**12 // (i + 1),
                tracked=True,
            )
            for i in range(coins)
        ],
        batch_size=500,
    )
    ids = dict(Coin.objects.values_list("coin_id", "id"))
    raw_sql = (
        "INSERT INTO markets_pricesnapshot (coin_id, vs, t, price, market_cap, volume_24h, change_24h_pct, source) "
        "VALUES (%s, 'usd', %s, %s, %s, %s, %s, 'coingecko')"
    )
    hourly_sql = (
        "INSERT INTO markets_hourlyprice (coin_id, vs, t, open, high, low, close, market_cap, volume_24h, samples, "
        "source) VALUES (%s, 'usd', %s, %s, %s, %s, %s, %s, %s, 12, 'coingecko')"
    )
    raw_times = [adapt(now - timedelta(minutes=cadence_min * k)) for k in range(raw_days * 24 * 60 // cadence_min)]
    hour_times = [adapt(hour - timedelta(hours=k)) for k in range(1, hourly_days * 24 + 1)]
    raw_rows = hourly_rows = 0
    latest = []
    for i in range(coins):
        coin_pk = ids[f"coin-{i:04d}"]
        base = 60000 / (1 + i) ** 1.7
        cap = str(10**12 // (i + 1))
        with transaction.atomic(), connection.cursor() as cursor:
            price = base
            rows = []
            for t in raw_times:
                price *= 1 + rng.uniform(-0.002, 0.002)
                rows.append((coin_pk, t, f"{price:.10g}", cap, "123456789.12", "-1.25"))
            cursor.executemany(raw_sql, rows)
            raw_rows += len(rows)
            rows = []
            for t in hour_times:
                price *= 1 + rng.uniform(-0.01, 0.01)
                p = f"{price:.10g}"
                rows.append((coin_pk, t, p, f"{price * 1.004:.10g}", f"{price * 0.996:.10g}", p, cap, "123456789.12"))
            cursor.executemany(hourly_sql, rows)
            hourly_rows += len(rows)
        latest.append(
            LatestQuote(coin_id=coin_pk, vs="usd", t=now, price=f"{base:.10g}", market_cap=cap, source="coingecko")
        )
    LatestQuote.objects.bulk_create(latest, batch_size=500)
    RollupState.objects.update_or_create(name="prices", defaults={"rolled_until": hour})
    return {
        "coins": coins,
        "raw_rows": raw_rows,
        "hourly_rows": hourly_rows,
        "seconds": round(time.perf_counter() - started, 1),
    }


def database_bytes() -> int:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = Path(connection.settings_dict["NAME"])
        return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]

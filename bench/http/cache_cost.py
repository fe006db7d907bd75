"""What one rate-limited cached read costs in each cache backend the embedded profile
could use for "default" (run: .venv/bin/python bench/http/cache_cost.py [REDIS_URL]).

A read of /api/prices does one counter increment (rate limit) and one get of a ~5 KB
payload. LocMem is per process; the others are shared between processes.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="cryptodt-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")

import django  # noqa: E402

django.setup()

from django.core.cache.backends.db import DatabaseCache  # noqa: E402
from django.core.cache.backends.filebased import FileBasedCache  # noqa: E402
from django.core.cache.backends.locmem import LocMemCache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.commands.createcachetable import Command as CreateCacheTable  # noqa: E402

from bench.http.views import seed_payload  # noqa: E402

N = 3000


def measure(name: str, cache, note: str) -> None:
    payload = seed_payload()
    cache.set("prices", payload, 600)
    cache.add("counter", 0, 600)
    started = time.perf_counter()
    for _ in range(N):
        cache.incr("counter")
        cache.get("prices")
    per_request = (time.perf_counter() - started) / N * 1e6
    print(f"| {name} | {per_request:,.0f} | {note} |")


def main() -> None:
    call_command("migrate", verbosity=0)
    creator = CreateCacheTable()
    creator.verbosity = 0
    creator.create_table("default", "django_cache_bench", dry_run=False)
    print(f"incr + get of a {len(str(seed_payload()))}-char payload, mean of {N}, single thread\n")
    print("| backend | µs per read | shared across processes / atomic incr |")
    print("|---|---:|---|")
    measure("LocMemCache (embedded default)", LocMemCache("bench", {}), "no / yes")
    measure(
        "FileBasedCache under DATA_DIR",
        FileBasedCache(os.path.join(os.environ["DATA_DIR"], "bench-cache"), {}),
        "yes / no (get+set)",
    )
    measure("DatabaseCache on SQLite (WAL)", DatabaseCache("django_cache_bench", {}), "yes / no (get+set)")
    redis_url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("REDIS_URL")
    if redis_url:
        from django.core.cache.backends.redis import RedisCache

        from cryptodt.cache import RedisCache as ReusedClientRedisCache

        measure("Django's RedisCache", RedisCache(redis_url, {}), "yes / yes")
        measure("cryptodt.cache.RedisCache (scale-out profile)", ReusedClientRedisCache(redis_url, {}), "yes / yes")


if __name__ == "__main__":
    main()

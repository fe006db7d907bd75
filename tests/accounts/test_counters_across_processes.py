"""cryptodt.counters are exact across real processes: two of them charging one caller at
the same moment never hand out the same count, and a data version bumped in one process
is what the next read in another sees."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.core.cache import caches

from accounts import ratelimit
from cryptodt import counters, data_cache

ROOT = Path(__file__).resolve().parents[2]

CHARGER = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
django.setup()
from accounts import ratelimit
sys.stdin.readline()  # both processes start charging together
counts = [ratelimit.hit("test", "user:7", (10**9, 86400), 1)[0] for _ in range(int(sys.argv[1]))]
print(" ".join(map(str, counts)))
"""

BUMPER = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
django.setup()
from cryptodt import data_cache
data_cache.bump("prices")
"""


def _python(code: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, env=dict(os.environ), text=True, **kwargs)


def test_two_processes_charging_one_caller_at_once_count_every_request_exactly_once():
    per_process = 3000
    chargers = [_python(CHARGER, str(per_process), stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
    for charger in chargers:
        charger.stdin.write("go\n")
        charger.stdin.flush()
    outputs = [charger.communicate(timeout=120)[0] for charger in chargers]
    counts = [int(count) for output in outputs for count in output.split()]

    assert sorted(counts) == list(range(1, 2 * per_process + 1))
    assert ratelimit.hit("test", "user:7", (10**9, 86400), 0)[0] == 2 * per_process


def test_the_limit_is_reached_at_exactly_the_same_request_whichever_process_counts_it():
    limit = 50
    chargers = [_python(CHARGER, "40", stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
    for charger in chargers:
        charger.stdin.write("go\n")
        charger.stdin.flush()
    counts = [int(c) for charger in chargers for c in charger.communicate(timeout=120)[0].split()]

    assert sum(count <= limit for count in counts) == limit  # 50 allowed, 30 over, across both


def test_a_data_version_bumped_in_another_process_is_seen_by_the_next_read():
    data_cache.bump("prices")
    before = data_cache.version("prices")
    assert _python(BUMPER).wait(timeout=60) == 0
    assert data_cache.version("prices") == before + 1


def test_a_new_data_version_starts_past_any_number_an_earlier_counter_reached():
    first = data_cache.version("prices")
    assert first > time.time() * 1_000_000 - 60_000_000  # from the clock, not from 0
    data_cache.bump("prices")
    assert data_cache.version("prices") == first + 1
    counters.clear()  # the counters lost: a new shared-memory table, or a Redis restart (below)
    caches["default"].clear()
    assert data_cache.version("prices") > first + 1
    counters.clear()
    caches["default"].clear()
    data_cache.bump("prices")  # a bump that finds no counter starts it from the clock too
    assert data_cache.version("prices") > first + 1

"""Django set up for a benchmark: a throw-away data directory, no real provider reachable."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="cryptodt-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def summary(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p50 = ordered[len(ordered) // 2]
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {p50:.2f} ms, p95 {p95:.2f} ms, min {ordered[0]:.2f} ms (n={len(ordered)})"

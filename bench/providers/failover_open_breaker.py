"""Time to serve markets when the primary's circuit is already open, against asking the
secondary directly. Both providers are real HTTP servers on 127.0.0.1.

    .venv/bin/python bench/providers/failover_open_breaker.py
"""

import sys
import time
from pathlib import Path

from _setup import ROOT, django_setup, summary

ROUNDS = 500


def main() -> None:
    django_setup()
    sys.path.insert(0, str(ROOT))
    from django.conf import settings

    from providers import breaker, budget, config, router
    from providers.registry import PROVIDERS
    from tests.providers.fake_upstream import FakeUpstream, Reply

    body = (Path(ROOT) / "tests/fixtures/providers/coincap/assets.json").read_bytes()
    primary = FakeUpstream("/api/v3").start()
    secondary = FakeUpstream("/v2").start()
    primary.script("/coins/markets", Reply(b"", status=500))
    secondary.script("/assets", Reply(body))
    settings.COINGECKO_BASE_URL = primary.url
    settings.COINCAP_BASE_URL = secondary.url
    settings.PROVIDER_BREAKER_COOLDOWN_S = 3600
    settings.PROVIDER_BUDGETS = {name: (10**9, None) for name in settings.PROVIDER_NAMES}
    config.forget()

    for _ in range(settings.PROVIDER_BREAKER_FAILURES):
        breaker.record_failure("coingecko")
    assert breaker.read("coingecko").state == breaker.OPEN
    hits = len(primary.hits)

    def timed(call, samples: list[float]) -> None:
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)

    # Interleaved, so load from anything else on the machine hits both series alike.
    direct: list[float] = []
    through_router: list[float] = []
    for _ in range(ROUNDS):
        timed(lambda: PROVIDERS["coincap"].markets(limit=3, vs="usd", timeout=None), direct)
        timed(lambda: router.fetch_markets(limit=3), through_router)
    assert len(primary.hits) == hits, "an open circuit must not reach the primary"
    print("secondary asked directly:       ", summary(direct))
    print("router, primary circuit open:   ", summary(through_router))
    print(f"budget spent on coincap: {budget.usage('coincap')['per_minute']['used']}")
    primary.stop()
    secondary.stop()


if __name__ == "__main__":
    main()

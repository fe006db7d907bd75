"""What /api/providers and the readiness check report: last success, last error, latency.

Kept in the "shared" cache next to the breaker state. Latency is both a recent-window
median (reported) and an exponential moving average (used by the "fastest" strategy).
"""

import logging
import time
from statistics import median

from django.core.cache import caches

from cryptodt.times import iso
from providers.payload import now

logger = logging.getLogger("providers")
_WINDOW = 50
_ALPHA = 0.3
_TTL = 30 * 86400
_SUCCESS_EVERY_S = 1.0
_last_success_written: dict[str, float] = {}


def _key(name: str) -> str:
    return f"providers:stats:{name}"


def read(name: str) -> dict:
    return caches["shared"].get(_key(name)) or {}


def _update(name: str, change) -> None:
    cache = caches["shared"]
    current = cache.get(_key(name)) or {}
    change(current)
    cache.set(_key(name), current, _TTL)


def record_latency(name: str, ms: float) -> None:
    def change(s: dict) -> None:
        samples = (s.get("samples") or [])[-(_WINDOW - 1) :] + [round(ms, 1)]
        s["samples"] = samples
        previous = s.get("latency_ewma_ms")
        s["latency_ewma_ms"] = ms if previous is None else _ALPHA * ms + (1 - _ALPHA) * previous

    _update(name, change)


def record_success(name: str) -> None:
    # A busy provider succeeds many times a second; one write a second is news enough and
    # keeps the shared cache (a file per key in the embedded profile) off the hot path.
    moment = time.monotonic()
    recent = moment - _last_success_written.get(name, float("-inf")) < _SUCCESS_EVERY_S
    if recent and read(name).get("last_success"):
        return
    _last_success_written[name] = moment

    def change(s: dict) -> None:
        s["last_success"] = iso(now())
        s["successes"] = s.get("successes", 0) + 1

    _update(name, change)


def record_error(name: str, endpoint: str, reason: str, *, invalid_payload: bool) -> None:
    logger.warning("provider %s %s failed: %s", name, endpoint, reason)

    def change(s: dict) -> None:
        s["last_error"] = {
            "at": iso(now()),
            "provider": name,
            "endpoint": endpoint,
            "reason": reason[:300],
        }
        s["failures"] = s.get("failures", 0) + 1
        if invalid_payload:
            s["validation_failures"] = s.get("validation_failures", 0) + 1

    _update(name, change)


def latency_p50(name: str) -> float | None:
    samples = read(name).get("samples")
    return round(median(samples), 1) if samples else None


def latency_ewma(name: str) -> float | None:
    return read(name).get("latency_ewma_ms")


def reset(name: str) -> None:
    caches["shared"].delete(_key(name))
    _last_success_written.pop(name, None)

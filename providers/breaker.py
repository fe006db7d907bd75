"""Circuit breaker per provider, kept in the "shared" cache so web and workers agree.

closed → (PROVIDER_BREAKER_FAILURES consecutive failures) → open → (cool-down elapsed) →
half_open, where exactly one caller gets the probe: its success closes the circuit, its
failure opens it again for another cool-down. Time comes from ``clock`` so tests can move
it instead of sleeping.
"""

import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
_STATE_TTL = 30 * 86400


def clock() -> float:
    return time.time()


def _cache():
    return caches["shared"]


def _key(name: str) -> str:
    return f"providers:breaker:{name}"


def _probe_key(name: str) -> str:
    return f"providers:breaker:{name}:probe"


@dataclass(frozen=True)
class BreakerState:
    state: str
    failures: int
    opened_at: float | None


def read(name: str) -> BreakerState:
    raw = _cache().get(_key(name)) or {}
    state = BreakerState(raw.get("state", CLOSED), raw.get("failures", 0), raw.get("opened_at"))
    if state.state == OPEN and _cooled_down(state):
        # Reported as half_open once the cool-down is over: the next caller will probe.
        return BreakerState(HALF_OPEN, state.failures, state.opened_at)
    return state


def _write(name: str, state: str, failures: int, opened_at: float | None) -> None:
    _cache().set(_key(name), {"state": state, "failures": failures, "opened_at": opened_at}, _STATE_TTL)


def _cooled_down(state: BreakerState) -> bool:
    return state.opened_at is not None and clock() - state.opened_at >= settings.PROVIDER_BREAKER_COOLDOWN_S


def retry_at(name: str) -> float | None:
    """When an open circuit lets its next probe through (epoch seconds); None unless open."""
    state = read(name)
    if state.state != OPEN or state.opened_at is None:
        return None
    return state.opened_at + settings.PROVIDER_BREAKER_COOLDOWN_S


def admit(name: str) -> str | None:
    """None when the caller may ask the provider, else why not. A half-open circuit admits
    one caller (the probe) until it reports back or the probe lock expires."""
    state = read(name)
    if state.state == CLOSED:
        return None
    if state.state == OPEN:
        return "circuit open"
    probe_ttl = max(int(settings.PROVIDER_TIMEOUT_S * 4), 10)
    if _cache().add(_probe_key(name), uuid.uuid4().hex, probe_ttl):
        _write(name, HALF_OPEN, state.failures, state.opened_at)
        return None
    return "circuit half-open, probe in flight"


def record_success(name: str) -> None:
    state = read(name)
    if state.state != CLOSED or state.failures:
        _write(name, CLOSED, 0, None)
        _cache().delete(_probe_key(name))


def record_failure(name: str) -> None:
    state = read(name)
    failures = state.failures + 1
    if state.state == HALF_OPEN or failures >= settings.PROVIDER_BREAKER_FAILURES:
        _write(name, OPEN, failures, clock())
    else:
        _write(name, CLOSED, failures, None)
    _cache().delete(_probe_key(name))


def release_probe(name: str) -> None:
    """The probe ended without a verdict (budget, unsupported request): let another caller probe."""
    _cache().delete(_probe_key(name))


def reset(name: str) -> None:
    _cache().delete_many([_key(name), _probe_key(name)])

"""Prometheus metrics: every metric cryptodt exports is defined here, scraped at /metrics.

Several processes serve one install (granian's web workers, the django-q2 cluster and
its workers, stream_prices), so prometheus_client runs in multiprocess mode: each process
writes its samples to memory-mapped files in PROMETHEUS_MULTIPROC_DIR (DATA_DIR/metrics
unless set; the settings set it before prometheus_client is first imported, bin/serve.py
empties it at start) and a scrape sums them (``MultiProcessCollector``).

State that already lives in the shared cache or the database (circuit breakers, budgets,
age of the newest data) is read when scraped by collectors the apps register from their
AppConfig.ready (``register_collector``), so this module imports no app.
"""

import atexit
import bisect
import functools
import glob
import hmac
import ipaddress
import logging
import multiprocessing.util
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpResponse, JsonResponse

# The settings put PROMETHEUS_MULTIPROC_DIR into the environment; prometheus_client picks
# its value class (per-process files or in-memory) when it is first imported.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(settings.METRICS_DIR)

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

logger = logging.getLogger(__name__)

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_SLOW = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)

# --- HTTP -----------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "cryptodt_http_requests_total", "HTTP requests answered, by URL pattern.", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "cryptodt_http_request_duration_seconds", "Time to answer an HTTP request.", ["route", "method"], buckets=_FAST
)
RATE_LIMITED = Counter("cryptodt_rate_limit_rejections_total", "API requests refused with 429, by tier.", ["tier"])

# Request counts gather per process and are folded into the two series above in batches:
# three mmap writes per request (the counter, the histogram's sum and bucket), each under
# prometheus_client's lock with a pid check, were ~8 % of a fast-path worker's CPU
# (BENCHMARKS.md, "Request metrics in batches"). A batch is folded before every scrape this
# process serves and every HTTP_FLUSH_SECONDS from a timer thread, so a scrape answered by
# another process sees them within that delay; and when the process exits normally.
HTTP_FLUSH_SECONDS = 0.5
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Histogram.observe's buckets: the first upper bound >= the value, +Inf last.
_HTTP_BOUNDS = tuple(HTTP_LATENCY._upper_bounds)
_pending: dict[tuple, list] = {}  # (route, method, status, bucket index) -> [count, seconds]
_lock = threading.Lock()  # Django's pool threads, the event loop and the timer all count or fold
_timer: threading.Thread | None = None

# --- providers ------------------------------------------------------------------------------
PROVIDER_REQUESTS = Counter(
    "cryptodt_provider_requests_total",
    "Requests sent to upstream providers, by outcome (ok, http_4xx, http_5xx, rate_limited, timeout, connection).",
    ["provider", "endpoint", "outcome"],
)
PROVIDER_FAILURES = Counter(
    "cryptodt_provider_failures_total",
    "Failed provider calls counted against the provider (error, timeout, rejected payload).",
    ["provider", "endpoint", "reason"],
)
PROVIDER_LATENCY = Histogram(
    "cryptodt_provider_request_duration_seconds",
    "Time an upstream provider took to answer.",
    ["provider", "endpoint"],
    buckets=_FAST,
)

# --- collection -------------------------------------------------------------------------------
COLLECTION_DURATION = Histogram(
    "cryptodt_collection_duration_seconds", "Time one collection step took, by kind.", ["kind"], buckets=_SLOW
)
COLLECTION_RUNS = Counter("cryptodt_collection_runs_total", "Collection steps run, by outcome.", ["kind", "outcome"])
ROWS_STORED = Counter("cryptodt_rows_stored_total", "Rows stored by collection, by kind.", ["kind"])
ROWS_REJECTED = Counter(
    "cryptodt_rows_rejected_total",
    "Payloads rejected whole by validation (nothing of them stored), by kind.",
    ["kind"],
)

# --- streaming, sentiment ------------------------------------------------------------------------
WS_CONNECTIONS = Gauge("cryptodt_websocket_connections", "Open /ws/prices connections.", multiprocess_mode="livesum")
WS_FRAMES = Counter("cryptodt_websocket_frames_sent_total", "Frames sent on /ws/prices, by type.", ["type"])
SENTIMENT_INFERENCES = Counter(
    "cryptodt_sentiment_inferences_total", "Texts scored by the sentiment analyzer, by backend.", ["backend"]
)


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    """One answered HTTP request: counted now, written to the shared series by flush_http()."""
    key = (route, method if method in _METHODS else "other", status, bisect.bisect_left(_HTTP_BOUNDS, seconds))
    with _lock:
        slot = _pending.get(key)
        if slot is not None:
            slot[0] += 1
            slot[1] += seconds
            return
        _pending[key] = [1, seconds]
        started = _timer is not None
    if not started:
        _start_timer()


def flush_http() -> None:
    """Fold the counts gathered since the last flush into the prometheus series. Counts and
    buckets are exactly what per-request inc()/observe() gives; the sum differs only in the
    order the floats were added (which threads already made arbitrary)."""
    with _lock:  # held while writing, so a scrape that flushed first sees every count
        if not _pending:
            return
        for key, (n, seconds) in list(_pending.items()):
            route, method, status, bucket = key
            requests, latency = _http_series(route, method, status)
            requests.inc(n)
            latency._buckets[bucket].inc(n)
            latency._sum.inc(seconds)
            del _pending[key]  # one at a time: a write that fails leaves only the rest to retry


@functools.lru_cache(maxsize=1024)
def _http_series(route: str, method: str, status: int):
    # Looking a labelled series up costs more than counting in it; routes are few.
    return HTTP_REQUESTS.labels(route, method, str(status)), HTTP_LATENCY.labels(route, method)


def _start_timer() -> None:
    global _timer
    with _lock:
        if _timer is not None:
            return
        _timer = threading.Thread(target=_flush_every, name="metrics-flush", daemon=True)
    _timer.start()
    # granian's workers are multiprocessing children, which end with os._exit: atexit does
    # not run there, multiprocessing's own exit finalizers do.
    multiprocessing.util.Finalize(None, flush_http, exitpriority=10)


def _flush_every() -> None:
    while True:
        time.sleep(HTTP_FLUSH_SECONDS)
        try:
            flush_http()
        except Exception as exc:  # the next round tries again; the counts stay pending
            logger.warning("request metrics flush failed: %s", exc.__class__.__name__)


def _forget_in_child() -> None:
    # A forked child starts with nothing pending (its parent folds its own counts), a lock
    # no thread holds and no timer (threads do not survive fork).
    global _lock, _timer
    _pending.clear()
    _lock = threading.Lock()
    _timer = None


os.register_at_fork(after_in_child=_forget_in_child)
atexit.register(flush_http)


# --- scrape-time collectors ------------------------------------------------------------------------
Families = Iterable[GaugeMetricFamily]
_collectors: dict[str, Callable[[], Families]] = {}


def register_collector(name: str, collect: Callable[[], Families]) -> None:
    """An app's gauges read when /metrics is scraped (breakers, budgets, data age)."""
    _collectors[name] = collect


_newest: dict[str, Callable[[], dict]] = {}


def register_newest(name: str, newest: Callable[[], dict]) -> None:
    """``newest()`` gives {kind: time of the newest stored record or None}: cryptodt_data_age_seconds."""
    _newest[name] = newest


def _guarded(name: str, produce: Callable[[], list]) -> list:
    try:
        return list(produce())
    except Exception as exc:  # a scrape never fails because one source did
        logger.warning("metrics source %s failed: %s", name, exc.__class__.__name__)
        return []


def _data_age() -> list:
    age = gauge("cryptodt_data_age_seconds", "Seconds since the newest stored record of each kind.", ["kind"])
    now = datetime.now(UTC)
    for name, newest in list(_newest.items()):
        for kind, t in _guarded(name, lambda newest=newest: newest().items()):
            if t is not None:
                age.add_metric([kind], round((now - t).total_seconds(), 1))
    return [age]


def _processes() -> list:
    """Every process's samples, summed. A file that cannot be read (truncated, foreign)
    is left out and logged, so it costs its own samples only."""
    readable = []
    for path in glob.glob(os.path.join(str(settings.METRICS_DIR), "*.db")):
        try:
            MultiProcessCollector.merge([path], accumulate=False)
        except Exception as exc:
            logger.warning("unreadable metrics file %s: %s", os.path.basename(path), exc.__class__.__name__)
            continue
        readable.append(path)
    return list(MultiProcessCollector.merge(readable, accumulate=True))


class _Registered:
    def collect(self):
        yield from _guarded("processes", _processes)
        for name, collect in list(_collectors.items()):
            yield from _guarded(name, collect)
        yield from _guarded("data_age", _data_age)


def gauge(name: str, documentation: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


def scrape() -> tuple[bytes, str]:
    """The exposition text summed over every process, and its content type."""
    flush_http()
    registry = CollectorRegistry()
    registry.register(_Registered())
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- GET /metrics ------------------------------------------------------------------------------------


def _loopback(request) -> bool:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR") or "").is_loopback
    except ValueError:
        return False


def _authorized(request) -> bool:
    if _loopback(request):
        return True
    token = settings.METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_view(request):
    """Open to loopback (a Prometheus beside the service), otherwise ``Authorization: Bearer
    METRICS_TOKEN``. Never a 5xx: a failing source drops its samples, not the scrape."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, "method_not_allowed", "Use GET.")
    if not _authorized(request):
        if not settings.METRICS_TOKEN:
            return _error(403, "forbidden", "/metrics is open to loopback only; set METRICS_TOKEN to scrape remotely.")
        return _error(401, "not_authenticated", "Send Authorization: Bearer <METRICS_TOKEN>.")
    try:
        body, content_type = scrape()
    except Exception as exc:
        logger.warning("metrics scrape failed: %s", exc.__class__.__name__)
        body, content_type = f"# scrape failed: {exc.__class__.__name__}\n".encode(), CONTENT_TYPE_LATEST
    return HttpResponse(body, content_type=content_type)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


# --- helpers the provider layer calls ----------------------------------------------------------------

_FAILURE_REASONS = {
    "UpstreamTimeout": "timeout",
    "InvalidPayload": "invalid_payload",
    "UpstreamError": "upstream_error",
}


def provider_request(provider: str, endpoint: str, outcome: str, seconds: float | None = None) -> None:
    PROVIDER_REQUESTS.labels(provider, endpoint, outcome).inc()
    if seconds is not None:
        PROVIDER_LATENCY.labels(provider, endpoint).observe(seconds)


def provider_failure(provider: str, endpoint: str, error: Exception) -> None:
    reason = _FAILURE_REASONS.get(type(error).__name__, "upstream_error")
    PROVIDER_FAILURES.labels(provider, endpoint, reason).inc()


def http_outcome(status: int) -> str:
    if status in (429, 418):
        return "rate_limited"
    return "ok" if status < 400 else ("http_5xx" if status >= 500 else "http_4xx")

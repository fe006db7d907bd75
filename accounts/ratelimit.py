"""Per-tier rate limits on every DRF view, counted exactly across processes.

How it fits together:
- ``TierRateThrottle`` is in REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES, so every API
  view is limited without its author doing anything. It charges the caller
  ``view.rate_cost(request)`` units (default 1) and records the usage on the request.
- ``accounts.middleware.RateLimitHeadersMiddleware`` writes X-RateLimit-* onto every
  DRF response from that record — or charges one unit first for requests DRF refused
  before throttles ran (401/403), so those carry the headers too.
- Counters are cryptodt.counters: Redis with REDIS_URL, else shared memory in DATA_DIR,
  so the limit holds exactly across processes either way. Windows are fixed, one per
  subject, staggered by a hash of the subject (django-ratelimit's scheme, which these
  counters replaced: one increment per charge instead of its key building, add and incr).
- cryptodt.fastpath charges its requests with the same ``charge``, or on the event loop
  with ``acharge`` (the same rules, the count awaited).

The budget belongs to the user (whichever of their keys or tokens they call with), so
issuing more keys never buys more requests; anonymous callers are counted per client IP.
"""

import functools
import hashlib
import ipaddress
import logging
import time
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.urls import Resolver404, resolve
from rest_framework.exceptions import ParseError
from rest_framework.throttling import BaseThrottle

from accounts import selectors
from accounts.models import Tier
from cryptodt import counters, metrics

logger = logging.getLogger(__name__)

GROUP = "cryptodt.api"
USAGE_ATTRIBUTE = "cryptodt_rate_usage"
# Enterprise is unlimited but still counted, so /api/auth/me can say how much it used.
_UNLIMITED = (10**12, 60)
# Health probes and the schema are infrastructure, not data: never metered.
EXEMPT_URL_NAMES = frozenset({"health", "health-ready", "schema", "docs"})
MAX_COST = 1000
PRECHARGED_ENVIRON_KEY = "cryptodt.rate_usage"
# A window's counter outlives its end by a few seconds, so a request at the edge still finds it.
EXPIRY_FUDGE_S = 5


@dataclass(frozen=True)
class Usage:
    tier: Tier
    limit: int | None  # None: unlimited
    count: int
    reset_in: int  # seconds until the window ends

    @property
    def limited(self) -> bool:
        return self.limit is not None and self.count > self.limit

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.count)

    def headers(self) -> dict[str, str]:
        if self.limit is None:
            values = {"X-RateLimit-Limit": "unlimited", "X-RateLimit-Remaining": "unlimited"}
        else:
            values = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}
        values["X-RateLimit-Reset"] = str(self.reset_in)
        if self.limited:
            values["Retry-After"] = str(self.reset_in)
        return values


def client_ip(request) -> str:
    """The caller's address (cryptodt.middleware.ForwardedClientAddress has already put the
    client behind trusted proxies into REMOTE_ADDR). IPv6 clients are grouped by /64, as one
    host usually owns a whole /64."""
    return _grouped_address(request.META.get("REMOTE_ADDR") or "")


@functools.lru_cache(maxsize=4096)
def _grouped_address(text: str) -> str:
    # Parsing an address costs more than the rest of the count; clients repeat.
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def subject_of(request, user) -> str:
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def window_end(subject: str, period: int, now: int) -> int:
    """The last second of the subject's current window: fixed windows of ``period`` seconds,
    each subject's shifted by crc32(subject) % period so that not every window ends at once.
    The window still holds at its last second; the next one starts a second later."""
    if period == 1:
        return now
    end = now - now % period + zlib.crc32(subject.encode()) % period
    return end + period if end < now else end


def counter_key(group: str, subject: str, rate: tuple[int, int], now: int) -> tuple[str, int]:
    """The counter of the subject's current window, and the window's last second."""
    limit, period = rate
    end = window_end(subject, period, now)
    return f"rl:{group}:{limit}/{period}s:{subject}:{end}", end


def hit(group: str, subject: str, rate: tuple[int, int], cost: int) -> tuple[int, int] | None:
    """(count, seconds left) after charging ``cost`` units (0: just look) in the subject's
    current window of ``rate``; None when the counters are unavailable."""
    now = int(time.time())
    key, end = counter_key(group, subject, rate, now)
    try:
        if cost:
            count = counters.incr(key, cost, expires_at=end + EXPIRY_FUDGE_S, now=now)
        else:
            count = counters.get(key, now=now) or 0
    except Exception as exc:  # the counters being down must not take the API down with them
        return _unavailable(exc)
    return None if count is None else (count, end - now)


async def ahit(group: str, subject: str, rate: tuple[int, int], cost: int) -> tuple[int, int] | None:
    """``hit`` (charging, cost >= 1) for the event loop: the count joins the loop's pipeline."""
    now = int(time.time())
    key, end = counter_key(group, subject, rate, now)
    try:
        count = await counters.aincr(key, cost, expires_at=end + EXPIRY_FUDGE_S, now=now)
    except Exception as exc:  # Unavailable, or the breaker open when queued
        return _unavailable(exc)
    return count, end - now


def _unavailable(exc: Exception) -> None:
    # Unavailable comes from the cache's breaker, which has said so once per outage: a line
    # per request on top would flood the log (and slow the loop) exactly while degraded.
    if not isinstance(exc, counters.Unavailable):
        logger.warning("rate-limit counter unavailable, failing open: %s", exc.__class__.__name__)


def _rate(tier: Tier) -> tuple[int, int]:
    return selectors.rate_of(tier=tier) or _UNLIMITED


def _usage(tier: Tier, rate: tuple[int, int], counted: tuple[int, int] | None) -> Usage:
    limit = None if rate is _UNLIMITED else rate[0]
    if counted is None:
        return Usage(tier=tier, limit=limit, count=0, reset_in=rate[1])
    count, left = counted
    return Usage(tier=tier, limit=limit, count=count, reset_in=left + 1)


def _count(*, tier: Tier, subject: str, cost: int) -> Usage:
    rate = _rate(tier)
    return _usage(tier, rate, hit(GROUP, subject, rate, cost))


def _cost_units(cost) -> int:
    return max(1, min(int(cost), MAX_COST))


def charge(request, *, user, cost: int = 1) -> Usage:
    """Count ``cost`` units against the caller and remember the result on the request."""
    tier = selectors.tier_of(user=user)
    usage = _count(tier=tier, subject=subject_of(request, user), cost=_cost_units(cost))
    _remember(request, usage)
    return usage


async def acharge(request, *, user, cost: int = 1) -> Usage:
    """``charge`` for the event loop (cryptodt.fastpath): the same subject, window and key,
    the count awaited, so it shares the loop's one Redis round trip with the other calls."""
    tier = selectors.tier_of(user=user)
    rate = _rate(tier)
    counted = await ahit(GROUP, subject_of(request, user), rate, _cost_units(cost))
    usage = _usage(tier, rate, counted)
    _remember(request, usage)
    return usage


def peek(request, *, user) -> Usage:
    """The caller's usage in the current window, without counting."""
    return _count(tier=selectors.tier_of(user=user), subject=subject_of(request, user), cost=0)


def recorded_usage(request) -> Usage | None:
    """What this request was charged: by ``charge`` on this request, or before Django by
    cryptodt.fastpath, which charges a request and hands it on when it is over the limit
    (WSGI environ keys with a dot cannot come from a client's headers)."""
    request = getattr(request, "_request", request)
    usage = getattr(request, USAGE_ATTRIBUTE, None)
    if usage is None:
        usage = getattr(request, "META", {}).get(PRECHARGED_ENVIRON_KEY)
    return usage


def _remember(request, usage: Usage) -> None:
    setattr(getattr(request, "_request", request), USAGE_ATTRIBUTE, usage)


def is_exempt(request, view_class) -> bool:
    if getattr(view_class, "rate_limited", True) is False:
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return match.url_name in EXEMPT_URL_NAMES


def _cost(view, request) -> int:
    cost_of = getattr(view, "rate_cost", None)
    if not callable(cost_of):
        return 1
    try:
        return int(cost_of(request))
    except (TypeError, ValueError):
        # Bad input is the view's to reject with a 400; it costs the base unit here.
        return 1


class TierRateThrottle(BaseThrottle):
    """The tier limit for every API view (REST_FRAMEWORK DEFAULT_THROTTLE_CLASSES).

    A view that is more expensive than one unit defines ``rate_cost(self, request) -> int``.
    A view that must never be metered sets ``rate_limited = False``.
    """

    def allow_request(self, request, view) -> bool:
        if is_exempt(request, type(view)):
            return True
        self.usage = recorded_usage(request) or charge(request, user=request.user, cost=_cost(view, request))
        if self.usage.limited:
            metrics.RATE_LIMITED.labels(self.usage.tier.value).inc()
        return not self.usage.limited

    def wait(self) -> float | None:
        return self.usage.reset_in


class TokenGuessingThrottle(BaseThrottle):
    """/api/auth/token's own budget: per client IP and per username (RATE_TOKEN_IP,
    RATE_TOKEN_USERNAME), instead of the tier limit, so reads never lock a caller out of
    logging in and guessing passwords stays slow. The per-IP budget is the one the
    X-RateLimit-* headers of this endpoint show."""

    def allow_request(self, request, view) -> bool:
        self.waits = []
        ip = client_ip(request)
        usage = self._check("auth-token:ip", ip, settings.RATE_TOKEN_IP)
        if usage is not None:
            _remember(request, usage)
        try:
            data = request.data
        except ParseError:
            # A malformed body is a 400, unless the caller is over a limit: then its 429 wins.
            usage = recorded_usage(request)
            if self.waits or (usage is not None and usage.limited):
                return not self.waits
            raise
        username = data.get("username") if isinstance(data, dict) else None
        if isinstance(username, str) and username:
            # Hashed so no username ends up in a cache key in clear.
            subject = hashlib.sha256(username.strip().lower().encode("utf-8", "replace")).hexdigest()
            self._check("auth-token:username", subject, settings.RATE_TOKEN_USERNAME)
        return not self.waits

    def _check(self, group: str, subject: str, rate: str) -> Usage | None:
        limit, period = selectors.parse_rate(rate)
        counted = hit(group, subject, (limit, period), 1)
        if counted is None:
            return None
        usage = Usage(tier=Tier.ANONYMOUS, limit=limit, count=counted[0], reset_in=counted[1] + 1)
        if usage.limited:
            self.waits.append(usage.reset_in)
        return usage

    def wait(self) -> float | None:
        return max(self.waits) if self.waits else None

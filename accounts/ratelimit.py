"""Per-tier rate limits on every DRF view, with django-ratelimit's counters.

How it fits together:
- ``TierRateThrottle`` is in REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES, so every API
  view is limited without its author doing anything. It charges the caller
  ``view.rate_cost(request)`` units (default 1) and records the usage on the request.
- ``accounts.middleware.RateLimitHeadersMiddleware`` writes X-RateLimit-* onto every
  DRF response from that record — or charges one unit first for requests DRF refused
  before throttles ran (401/403), so those carry the headers too.
- Counters live in the cache named by RATELIMIT_USE_CACHE ("default": Redis when
  REDIS_URL is set), so the limit holds across processes; windows are django-ratelimit's
  fixed windows.

The budget belongs to the user (whichever of their keys or tokens they call with), so
issuing more keys never buys more requests; anonymous callers are counted per client IP.
"""

import functools
import hashlib
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.urls import Resolver404, resolve
from django_ratelimit.core import get_usage
from rest_framework.exceptions import ParseError
from rest_framework.throttling import BaseThrottle

from accounts import selectors
from accounts.models import Tier

logger = logging.getLogger(__name__)

GROUP = "cryptodt.api"
USAGE_ATTRIBUTE = "cryptodt_rate_usage"
# Enterprise is unlimited but still counted, so /api/auth/me can say how much it used.
_UNLIMITED = (10**12, 60)
# Health probes and the schema are infrastructure, not data: never metered.
EXEMPT_URL_NAMES = frozenset({"health", "health-ready", "schema", "docs"})
MAX_COST = 1000
PRECHARGED_ENVIRON_KEY = "cryptodt.rate_usage"


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


def _count(request, *, tier: Tier, subject: str, increment: bool) -> Usage:
    rate = selectors.rate_of(tier=tier) or _UNLIMITED
    try:
        usage = get_usage(request, group=GROUP, key=lambda _group, _request: subject, rate=rate, increment=increment)
    except Exception as exc:  # the cache being down must not take the API down with it
        logger.warning("rate-limit counter unavailable, failing open: %s", exc.__class__.__name__)
        usage = None
    limit = None if rate is _UNLIMITED else rate[0]
    if usage is None or usage["time_left"] < 0:
        return Usage(tier=tier, limit=limit, count=0, reset_in=rate[1])
    # django-ratelimit's window still holds at time_left == 0; the next one starts a second later.
    return Usage(tier=tier, limit=limit, count=usage["count"], reset_in=usage["time_left"] + 1)


def charge(request, *, user, cost: int = 1) -> Usage:
    """Count ``cost`` units against the caller and remember the result on the request."""
    tier = selectors.tier_of(user=user)
    subject = subject_of(request, user)
    usage = None
    for _ in range(max(1, min(int(cost), MAX_COST))):
        usage = _count(request, tier=tier, subject=subject, increment=True)
    _remember(request, usage)
    return usage


def peek(request, *, user) -> Usage:
    """The caller's usage in the current window, without counting."""
    tier = selectors.tier_of(user=user)
    return _count(request, tier=tier, subject=subject_of(request, user), increment=False)


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
        return not self.usage.limited

    def wait(self) -> float | None:
        return self.usage.reset_in


class TokenGuessingThrottle(BaseThrottle):
    """Password guessing on /api/auth/token: limited per client IP and per username,
    independently of the tier limit (RATE_TOKEN_IP, RATE_TOKEN_USERNAME)."""

    def allow_request(self, request, view) -> bool:
        self.waits = []
        ip = client_ip(request)
        self._check(request, "auth-token:ip", ip, settings.RATE_TOKEN_IP)
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
            self._check(request, "auth-token:username", subject, settings.RATE_TOKEN_USERNAME)
        return not self.waits

    def _check(self, request, group: str, subject: str, rate: str) -> None:
        try:
            usage = get_usage(request, group=group, key=lambda _g, _r: subject, rate=rate, increment=True)
        except Exception as exc:
            logger.warning("token guessing counter unavailable: %s", exc.__class__.__name__)
            return
        if usage and usage["should_limit"]:
            self.waits.append(usage["time_left"] + 1)

    def wait(self) -> float | None:
        return max(self.waits) if self.waits else None

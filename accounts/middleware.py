"""Per-request accounting around DRF views: rate-limit headers and the audit log."""

import time

from django.utils import timezone

from accounts import audit, ratelimit
from accounts.models import ApiKey


def _drf_view_class(request):
    # DRF's as_view() marks its view functions with ``cls``; plain Django views have none.
    match = getattr(request, "resolver_match", None)
    return getattr(match.func, "cls", None) if match is not None else None


class RateLimitHeadersMiddleware:
    """X-RateLimit-Limit / -Remaining (and Retry-After on 429) on every DRF response.

    Exempt views (health probes, the schema) carry the caller's current budget uncharged.

    Requests that DRF refused before its throttles ran (bad or missing credentials,
    forbidden) are charged one unit here, so they are counted and carry the headers too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        view_class = _drf_view_class(request)
        if view_class is None:
            return response
        user = getattr(request, "user", None)
        if ratelimit.is_exempt(request, view_class):
            # Never metered (health probes, the schema), yet docs/API.md promises the headers on
            # every response: show the caller's budget without spending any of it.
            usage = ratelimit.peek(request, user=user)
        else:
            usage = ratelimit.recorded_usage(request) or ratelimit.charge(request, user=user)
        for name, value in rate_limit_headers(usage, response.status_code).items():
            response[name] = value
        return response


class AuditMiddleware:
    """Records each authenticated API request (buffered; see accounts.audit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if _drf_view_class(request) is None:
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        record_request(
            user=user,
            credential=getattr(request, "auth", None),
            method=request.method,
            path=request.path,
            status=response.status_code,
            started=started,
        )
        return response


def record_request(*, user, credential, method: str, path: str, status: int, started: float) -> None:
    """The audit entry of one authenticated API request (this middleware and
    cryptodt.fastpath both call it)."""
    audit.record(
        user_id=user.pk,
        username=user.get_username(),
        key_prefix=credential.prefix if isinstance(credential, ApiKey) else "",
        method=method,
        endpoint=path,
        status=status,
        latency_ms=(time.perf_counter() - started) * 1000,
        at=timezone.now(),
    )


def rate_limit_headers(usage: ratelimit.Usage, status: int) -> dict[str, str]:
    """X-RateLimit-* (and Retry-After on a 429) for a response (this middleware and
    cryptodt.fastpath both call it)."""
    headers = usage.headers()  # a new dict each time, so it may be trimmed
    if status != 429:
        headers.pop("Retry-After", None)
    return headers

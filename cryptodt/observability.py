"""Per-request observability: a request id on every log line and response, and the
request metrics (count and latency by URL pattern and status).

First in MIDDLEWARE, so it sees every answer, the static files WhiteNoise serves and the
errors other middleware return included.
"""

import os
import re
import time

import structlog
from django.conf import settings

from cryptodt import metrics

# Counted per process and written to the shared series in batches (cryptodt/metrics.py).
count_request = metrics.count_request

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's (or its proxy's) id is kept when it is a plain token; anything else could
# forge log fields or fill them with junk, so it is replaced.
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
# uuid.uuid4()'s version (4) and variant (RFC 4122) bits, set on 128 random bits.
_UUID4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)


def route_of(request) -> str:
    """The URL pattern that answered ("/api/ohlcv", "/coins/<str:symbol>"), never the raw path,
    so the metric's label values stay few."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return "static"
    return "unmatched"


def request_id(incoming: str) -> str:
    """The caller's id when it is a plain token, else a new one: what ``uuid.uuid4().hex``
    gives (32 hex digits, version 4), built without the UUID object, for a third of its
    cost on every fast-path answer (BENCHMARKS.md, "Fast path: where the time goes")."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return "%032x" % ((int.from_bytes(os.urandom(16), "big") & _UUID4_CLEAR) | _UUID4_SET)


class RequestObservation:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id(request.META.get("HTTP_X_REQUEST_ID", ""))
        # The web server reuses its threads: a previous request's context must not leak.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.clear_contextvars()
        count_request(route_of(request), request.method, response.status_code, time.perf_counter() - started)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

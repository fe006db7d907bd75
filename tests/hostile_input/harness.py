"""The endpoints under /api/ (from the URL resolver), a client to send them anything, and
what docs/API.md promises about every answer to a hostile request."""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.ratelimit import EXEMPT_URL_NAMES

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")


@dataclass(frozen=True)
class Endpoint:
    route: str  # e.g. "api/defi/protocols/<str:slug>/tvl"
    name: str | None
    view_class: type | None

    def path(self, **junk: str) -> str:
        """The route with every converter replaced by a sample (or the given junk)."""
        if self.route.startswith("^"):  # the catch-all of unknown paths
            return "/api/no-such-endpoint"
        path, rest = "/", self.route
        while "<" in rest:
            head, _, rest = rest.partition("<")
            converter, _, rest = rest.partition(">")
            name = converter.rpartition(":")[2]
            path += head + junk.get(name, SAMPLE_PATH_VALUES.get(name, "sample"))
        return path + rest

    @property
    def methods(self) -> set[str]:
        if self.view_class is None:
            return set()
        methods = {m.upper() for m in self.view_class.http_method_names if hasattr(self.view_class, m)}
        return methods | {"HEAD"} if "GET" in methods else methods

    @property
    def metered(self) -> bool:
        return (
            self.view_class is not None
            and getattr(self.view_class, "rate_limited", True)
            and self.name not in EXEMPT_URL_NAMES
        )

    def __str__(self) -> str:
        return self.route


def _walk(patterns, prefix: str = "") -> Iterator[Endpoint]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield Endpoint(route=route, name=entry.name, view_class=getattr(entry.callback, "cls", None))


def api_endpoints() -> list[Endpoint]:
    return [e for e in _walk(get_resolver().url_patterns) if e.route.startswith(("api/", "^api"))]


ENDPOINTS = api_endpoints()
SAMPLE_PATH_VALUES = {"slug": "aave", "prefix": "0123456789ab", "pk": "1"}

# The query parameters each endpoint documents (docs/API.md); an endpoint missing here gets all.
KNOWN_PARAMS = {
    "prices": ["symbols", "ids", "vs"],
    "market": ["limit", "vs"],
    "trending": [],
    "ohlcv": ["symbol", "interval", "start", "end", "limit"],
    "prices-history": ["symbol", "days", "resolution"],
    "defi-protocols": ["limit", "chain", "category"],
    "defi-protocol-tvl": ["days"],
    "defi-chains": [],
    "fear-greed": ["days"],
    "news": ["symbol", "since", "limit"],
    "sentiment-summary": ["symbol", "hours"],
    "providers": [],
    "health": [],
    "health-ready": [],
    "schema": ["format", "lang"],
    "docs": [],
    "alerts": [],
    "alert": [],
    "alert-firings": [],
    "alert-deliveries": ["state"],
}
ALL_PARAMS = sorted({p for params in KNOWN_PARAMS.values() for p in params} | {"days", "hours", "since"})
UNKNOWN_PARAMS = ["zzz", "format"]


@cache
def _client() -> Client:
    # One client for every test here: each new one loads the middleware again, and WhiteNoise
    # scans every static file when it starts.
    return Client(raise_request_exception=False)


def send(method: str, path: str, *, query: str = "", body: bytes = b"", content_type: str = "", headers=None):
    headers = dict(headers or {})
    extra = {}
    host = headers.pop("Host", None)
    if host is not None:
        extra["HTTP_HOST"] = host
    if "Content-Length" in headers:
        extra["CONTENT_LENGTH"] = headers.pop("Content-Length")
    return _client().generic(
        method,
        path + (f"?{query}" if query else ""),
        data=body,
        content_type=content_type,
        headers=headers,
        **extra,
    )


def problems_with(response, *, endpoint: Endpoint, method: str, what: str) -> list[str]:
    """Everything docs/API.md promises about an answer to a hostile request that this one breaks."""
    label = f"{method} {endpoint} [{what}] -> {response.status_code}"
    status = response.status_code
    body = b"" if response.streaming else response.content
    problems = []
    if status >= 500 and not _allowed_5xx(response, endpoint):
        problems.append(f"{label}: server error {body[:200]!r}")
    if method == "HEAD":
        if body:
            problems.append(f"{label}: HEAD answered with a body")
    elif 400 <= status:
        # A Host that Django refuses never reaches the view: the project's envelope answers it.
        coingecko_shaped = speaks_coingecko(endpoint) and not what.startswith("host_")
        check = _coingecko_error_problems if coingecko_shaped else _envelope_problems
        problems += [f"{label}: {p}" for p in check(response, body)]
    if status == 429 and not response.has_header("Retry-After"):
        problems.append(f"{label}: 429 without Retry-After")
    refused_by_django = status == 400 and what.startswith("host_")  # before any view ran
    if endpoint.metered and not refused_by_django:
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
            if not response.has_header(header):
                problems.append(f"{label}: no {header}")
    return problems


def _allowed_5xx(response, endpoint: Endpoint) -> bool:
    if response.status_code != 503:
        return False
    if endpoint.name in ("health", "health-ready"):  # probes answer 503 with their report
        return True
    if response.request["REQUEST_METHOD"] == "HEAD":  # no body to read the code from
        return True
    try:
        if speaks_coingecko(endpoint):  # "nothing stored yet", in CoinGecko's words
            return isinstance(response.json()["error"], str)
        return response.json()["error"]["code"] == "no_data"
    except (ValueError, KeyError, TypeError):
        return False


def speaks_coingecko(endpoint: Endpoint) -> bool:
    """/api/v3/ answers errors in CoinGecko's own shapes (docs/coingecko_compat.md)."""
    return endpoint.route.startswith("api/v3/")


def _coingecko_error_problems(response, body: bytes) -> list[str]:
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"content type {response.get('Content-Type')!r}, body {body[:120]!r}"]
    try:
        payload = response.json()
    except ValueError:
        return [f"invalid JSON {body[:120]!r}"]
    if isinstance(payload, dict) and set(payload) == {"error"} and isinstance(payload["error"], str):
        return []
    status = payload.get("status") if isinstance(payload, dict) else None
    if isinstance(status, dict) and {"error_code", "error_message"} <= set(status):  # CoinGecko's 429
        return []
    return [f"not a CoinGecko error: {body[:200]!r}"]


def _envelope_problems(response, body: bytes) -> list[str]:
    if not response.get("Content-Type", "").startswith("application/json"):
        return [f"content type {response.get('Content-Type')!r}, body {body[:120]!r}"]
    try:
        payload = response.json()
    except ValueError:
        return [f"invalid JSON {body[:120]!r}"]
    error = payload.get("error") if isinstance(payload, dict) else None
    if set(payload) != {"error"} or not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return [f"not the envelope: {body[:200]!r}"]
    if not (isinstance(error["code"], str) and error["code"] and isinstance(error["message"], str)):
        return [f"code/message not strings: {error!r}"]
    if not isinstance(error["details"], dict):
        return [f"details not an object: {error!r}"]
    return []


def report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:60])

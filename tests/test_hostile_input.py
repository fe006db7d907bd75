"""Hostile input on every endpoint under /api/: never a 5xx, always the error envelope.

docs/API.md: every error is JSON in the one envelope, "never a 500 for bad input".
The endpoints are enumerated from the URL resolver, so a new one is covered the day it is
added. Each test walks one endpoint through a family of hostile requests and reports every
bad answer at once, so a failure lists all the holes rather than the first.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import IsAdminUser
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import ratelimit as ratelimit_clock_holder
from accounts.ratelimit import EXEMPT_URL_NAMES
from tests.data.conftest import market_row
from tests.providers.fake_upstream import refuse_every_provider

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
UNLIMITED = "1000000/m"
JSON = "application/json"


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

# Already percent-encoded, so "%ff" (invalid UTF-8) reaches the server as sent.
HOSTILE_VALUES = {
    "empty": "",
    "10kb": "A" * 10_240,
    "nul": quote("a\x00b"),
    "non_ascii": quote("Bitcoïn™"),
    "emoji": quote("🚀🌕"),
    "invalid_utf8": "%ff%fe",
    "sql": quote("' OR 1=1 --"),
    "negative": "-1",
    "zero": "0",
    "huge_int": str(10**30),
    "float": "1.5",
    "exp": "1e308",
    "nan": "NaN",
    "inf": "Infinity",
    "neg_inf": "-Infinity",
    "bad_date": "2024-13-45",
    "bad_datetime": quote("2024-02-30T25:61:61Z"),
    "unix_huge": "99999999999999999",
    "unix_negative": "-99999999999999",
    "whitespace": quote(" \t\n "),
    "json": quote('{"a":[1]}'),
    "commas": quote(",,,"),
    "many_symbols": quote(",".join(f"S{i}" for i in range(2000))),
    "traversal": quote("../../etc/passwd"),
    "html": quote("<script>alert(1)</script>"),
}
JUNK_PATH_VALUES = {
    "nul": "%00",
    "invalid_utf8": "%ff",
    "emoji": quote("🚀"),
    "sql": quote("' OR 1=1 --"),
    "long": "a" * 5000,
    "dots": "..",
    "spaces": "%20%20",
    "html": quote("<b>x</b>"),
}

DEEP = 10_000
HOSTILE_BODIES = {
    "malformed": (b'{"text": "unterminated', "application/json"),
    "list": (b'["a", "b"]', "application/json"),
    "number": (b"42", "application/json"),
    "string": (b'"hello"', "application/json"),
    "null": (b"null", "application/json"),
    "empty": (b"", "application/json"),
    "nan": (b'{"text": NaN, "name": Infinity}', "application/json"),
    "deep_list": (b"[" * DEEP + b"]" * DEEP, "application/json"),
    "deep_object": (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "application/json"),
    "two_mb": (b'{"text": "' + b"a" * 2_000_000 + b'"}', "application/json"),
    "invalid_utf8": (b'{"text": "\xff\xfe"}', "application/json"),
    "bad_charset": (b'{"text": "x"}', "application/json; charset=klingon"),
    "wrong_type_values": (b'{"text": 5, "texts": {"a": 1}, "name": [], "refresh": 1, "token": {}}', "application/json"),
    "huge_numbers": (b'{"text": 1e999999, "expires_at": 99999999999999999999}', "application/json"),
    "form": (b"text=hello&name=x&username=a&password=b", "application/x-www-form-urlencoded"),
    "multipart": (b"--x\r\nContent-Disposition: form-data; name=text\r\n\r\nhi\r\n--x--\r\n", "multipart/form-data"),
    "xml": (b"<text>hi</text>", "application/xml"),
    "no_content_type": (b'{"text": "hi"}', ""),
}
HOSTILE_HEADERS = {
    "bearer_empty": {"Authorization": "Bearer"},
    "bearer_space": {"Authorization": "Bearer "},
    "bearer_junk": {"Authorization": "Bearer not.a.jwt"},
    "bearer_two_parts": {"Authorization": "Bearer a b"},
    "bearer_10kb": {"Authorization": "Bearer " + "x" * 10_240},
    "bearer_latin1": {"Authorization": "Bearer caf\xe9"},
    "bearer_lowercase": {"Authorization": "bearer abc"},
    "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
    "token_scheme": {"Authorization": "Token abc"},
    "authorization_nul": {"Authorization": "Bearer a\x00b"},
    "api_key_empty": {"X-API-Key": ""},
    "api_key_junk": {"X-API-Key": "cdt_zzzz_yyyy"},
    "api_key_prefix_only": {"X-API-Key": "cdt_0123456789ab_"},
    "api_key_sql": {"X-API-Key": "' OR 1=1 --"},
    "api_key_10kb": {"X-API-Key": "k" * 10_240},
    "api_key_latin1": {"X-API-Key": "cl\xe9"},
    "both_junk": {"Authorization": "Bearer x", "X-API-Key": "y"},
    "accept_xml": {"Accept": "application/xml"},
    "accept_junk": {"Accept": "\x00;;;q=abc"},
    "accept_language_junk": {"Accept-Language": "x" * 5000},
    "forwarded_junk": {"X-Forwarded-For": "not-an-ip, ::::, 999.1.1.1"},
    "content_length_junk": {"Content-Length": "-5"},
    "host_invalid": {"Host": "bad host!"},
    "host_huge": {"Host": "h" * 5000 + ".example"},
}


@pytest.fixture(autouse=True)
def _quiet_world(settings):
    """Generous limits so 429s do not mask other answers; providers refuse locally, fast."""
    settings.RATE_ANON = settings.RATE_FREE = settings.RATE_PRO = UNLIMITED
    settings.RATE_TOKEN_IP = settings.RATE_TOKEN_USERNAME = UNLIMITED
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    refuse_every_provider(settings)


@pytest.fixture
def stored_coins(db):
    """Some stored data, so hostile parameters reach the selectors and not only the 503 path."""
    from markets.services import ingest

    ingest.ingest_market_rows(
        rows=[
            market_row("bitcoin", "btc", price="65000.12", cap="1280000000000", rank=1),
            market_row("ethereum", "eth", price="3500.5", cap="420000000000", rank=2),
        ],
        source="coingecko",
        track=True,
    )


@pytest.fixture
def callers(stored_coins, django_user_model) -> dict[str, dict[str, str]]:
    """Headers for each kind of caller: anonymous, a free user and staff (both JWT)."""
    free = django_user_model.objects.create_user(username="free", password="x-Long-pass-99")
    staff = django_user_model.objects.create_user(username="staff", password="x-Long-pass-99", is_staff=True)
    return {
        "anonymous": {},
        "free": {"Authorization": f"Bearer {RefreshToken.for_user(free).access_token}"},
        "staff": {"Authorization": f"Bearer {RefreshToken.for_user(staff).access_token}"},
    }


@cache
def _client() -> Client:
    # One client for the module: each new one loads the middleware again, and WhiteNoise
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
        speaks_coingecko = _speaks_coingecko(endpoint) and not what.startswith("host_")
        check = _coingecko_error_problems if speaks_coingecko else _envelope_problems
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
        if _speaks_coingecko(endpoint):  # "nothing stored yet", in CoinGecko's words
            return isinstance(response.json()["error"], str)
        return response.json()["error"]["code"] == "no_data"
    except (ValueError, KeyError, TypeError):
        return False


def _speaks_coingecko(endpoint: Endpoint) -> bool:
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


def _report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:60])


def test_the_resolver_lists_the_documented_endpoints():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"prices", "market", "ohlcv", "auth-token", "auth-keys", "sentiment-analyze", "news"} <= names


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_method_from_every_caller_answers_without_a_server_error(endpoint, callers):
    problems = []
    for caller, headers in callers.items():
        for method in METHODS:
            body, content_type = (b"{}", "application/json") if method in ("POST", "PUT", "PATCH") else (b"", "")
            response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=caller)
            if method not in endpoint.methods and response.status_code not in (401, 403, 405):
                problems.append(f"{method} {endpoint} [{caller}]: {response.status_code} for an unsupported method")
    _report(problems)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "GET" in e.methods], ids=str)
def test_hostile_query_values_never_break_a_read(endpoint, callers):
    params = KNOWN_PARAMS.get(endpoint.name, ALL_PARAMS) + UNKNOWN_PARAMS
    problems = []
    for param in params:
        for label, value in HOSTILE_VALUES.items():
            response = send("GET", endpoint.path(), query=f"{param}={value}", headers=callers["anonymous"])
            problems += problems_with(response, endpoint=endpoint, method="GET", what=f"{param}={label}")
        for query in (f"{param}=1&{param}=2", f"{param}&{param}=", f"{param}[]=1", f"{param}=%"):
            response = send("GET", endpoint.path(), query=query, headers=callers["anonymous"])
            problems += problems_with(response, endpoint=endpoint, method="GET", what=query)
    everything = "&".join(f"{p}={v}" for p in params for v in ("%ff", "-1", "NaN"))
    for caller, headers in callers.items():
        for method in ("GET", "HEAD"):
            response = send(method, endpoint.path(), query=everything, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} all params")
    _report(problems)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "<" in e.route], ids=str)
def test_junk_path_parameters_are_answered_with_the_envelope(endpoint, callers):
    problems = []
    converters = [part.partition(">")[0].rpartition(":")[2] for part in endpoint.route.split("<")[1:]]
    for caller, headers in callers.items():
        for label, junk in JUNK_PATH_VALUES.items():
            path = endpoint.path(**{name: junk for name in converters})
            for method in endpoint.methods | {"GET", "DELETE"}:
                response = send(method, path, headers=headers)
                problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} path {label}")
    _report(problems)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_hostile_bodies_are_refused_with_the_envelope(endpoint, callers):
    writes = sorted(endpoint.methods & {"POST", "PUT", "PATCH", "DELETE"}) or ["POST"]
    problems = []
    for caller, headers in callers.items():
        for method in writes:
            for label, (body, content_type) in HOSTILE_BODIES.items():
                response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
                problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} body {label}")
    _report(problems)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_hostile_headers_are_refused_with_the_envelope(endpoint, stored_coins):
    methods = sorted(endpoint.methods - {"OPTIONS"}) or ["GET"]
    problems = []
    for label, headers in HOSTILE_HEADERS.items():
        for method in methods:
            body, content_type = (b"{}", "application/json") if method in ("POST", "PUT", "PATCH") else (b"", "")
            response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=label)
            if label.startswith("host_") and response.status_code != 400:
                problems.append(f"{method} {endpoint} [{label}]: {response.status_code}, not Django's 400")
    _report(problems)


def test_unknown_paths_under_api_are_404s_with_the_envelope_and_rate_limit_headers(callers):
    problems = []
    (probe,) = [endpoint for endpoint in ENDPOINTS if endpoint.name == "api-unknown"]
    for path in ("/api", "/api/", "/api/nope", "/api/prices/", "/api/%ff", "/api/%00", "/api/" + "a" * 5000, "/api/🚀"):
        for method in METHODS:
            response = send(method, path)
            problems += problems_with(response, endpoint=probe, method=method, what=path[:40])
            if response.status_code != 404:
                problems.append(f"{method} {path[:40]}: {response.status_code}, not 404")
    _report(problems)


class _FrozenClock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.metered], ids=str)
def test_the_request_over_the_limit_is_429_with_retry_after_and_the_envelope(endpoint, callers, settings, monkeypatch):
    # One window for the whole test, however long it runs.
    monkeypatch.setattr(ratelimit_clock_holder, "time", _FrozenClock(1_790_000_040.0))
    settings.RATE_ANON = settings.RATE_FREE = "2/m"  # token endpoints take no credentials
    settings.RATE_TOKEN_IP = "2/m"  # the login's own budget
    method = "GET" if "GET" in endpoint.methods else sorted(endpoint.methods - {"HEAD", "OPTIONS"})[0]
    # Staff-only endpoints answer a free user 403 before any limit is counted.
    staff_only = IsAdminUser in getattr(endpoint.view_class, "permission_classes", [])
    free = callers["staff" if staff_only else "free"]
    for _ in range(2):
        send(method, endpoint.path(), body=b"{}", content_type="application/json", headers=free)
    response = send(
        method, endpoint.path(), query="limit=%ff", body=b"{", content_type="application/json", headers=free
    )
    _report(problems_with(response, endpoint=endpoint, method=method, what="over the limit"))
    assert response.status_code == 429
    if _speaks_coingecko(endpoint):
        assert response.json()["status"]["error_code"] == 429
    else:
        assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert response["X-RateLimit-Remaining"] == "0"


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "GET" in e.methods], ids=str)
def test_head_answers_like_get_without_a_body(endpoint, callers):
    get = send("GET", endpoint.path(), headers=callers["staff"])
    head = send("HEAD", endpoint.path(), headers=callers["staff"])
    assert (head.status_code, head.content) == (get.status_code, b"")
    assert head["Content-Type"] == get["Content-Type"]
    if endpoint.metered:
        assert head.has_header("X-RateLimit-Remaining")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.view_class is not None], ids=str)
def test_options_lists_the_allowed_methods_in_json(endpoint, callers):
    response = send("OPTIONS", endpoint.path(), headers=callers["staff"])
    if endpoint.name == "api-unknown":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert set(response["Allow"].replace(" ", "").split(",")) == endpoint.methods | {"OPTIONS"}


def _random_char(rng: random.Random) -> str:
    code = rng.randrange(1, 0x2FFFF)
    return "?" if 0xD800 <= code <= 0xDFFF else chr(code)  # lone surrogates cannot be sent as UTF-8


def _random_values(seed: int, count: int) -> list[str]:
    """Percent-encoded query values from a fixed seed (the same on every run): random
    Unicode text, raw bytes (mostly invalid UTF-8), integers, floats and dates."""
    rng = random.Random(seed)
    makers = [
        lambda: quote("".join(_random_char(rng) for _ in range(rng.randrange(1, 40)))),
        lambda: "".join(f"%{rng.randrange(256):02x}" for _ in range(rng.randrange(1, 24))),
        lambda: str(rng.randrange(-(10**40), 10**40)),
        lambda: repr(rng.uniform(-1e308, 1e308)),
        lambda: f"{rng.randrange(-9999, 99999)}-{rng.randrange(-5, 99)}-{rng.randrange(-5, 99)}",
    ]
    return [rng.choice(makers)() for _ in range(count)]


READ_ENDPOINTS = [e for e in ENDPOINTS if "GET" in e.methods and e.name not in ("schema", "docs")]


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS, ids=str)
def test_random_query_values_get_an_answer_from_the_contract(endpoint, stored_coins):
    rng = random.Random(endpoint.route)
    params = KNOWN_PARAMS.get(endpoint.name, ALL_PARAMS) + UNKNOWN_PARAMS
    problems = []
    for raw in _random_values(seed=len(endpoint.route), count=60):
        param = rng.choice(params)
        response = send("GET", endpoint.path(), query=f"{param}={raw}")
        problems += problems_with(response, endpoint=endpoint, method="GET", what=f"{param}={raw[:60]}")
    _report(problems)

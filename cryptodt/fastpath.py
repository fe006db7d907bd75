"""Cached reads answered in front of Django, with Django's own accounting.

A repeated ``GET /api/prices``, ``/api/market`` or ``/api/v3/simple/price`` is answered
from the rendered-answer cache (cryptodt.data_cache.cached_rendered) without Django's
middleware stack, URL resolution, DRF's request wrapping and, for anonymous callers,
without the thread hop. What makes the answer the same as Django's is that the decisions
are the same functions:

- the client address: cryptodt.middleware.apply_forwarded_client_address;
- the key or Bearer JWT: accounts.authentication.cached_identity, the same checks as
  Django's (verified_api_key; jwt_identity: the token's signature, type and exp on every
  request, BearerJWTAuthentication.get_user for its user). A key or JWT user this process
  verified at the current credentials version is decided on the event loop; any other
  (first use, or after any credentials change anywhere) is verified against the database
  once in the bridge's thread pool. A Bearer token decides alone, as Django's
  authenticator order does (the JWT before the key);
- the count: accounts.ratelimit.charge (``acharge`` on the loop with Redis), and the
  headers accounts.middleware.rate_limit_headers;
- the audit entry: accounts.middleware.record_request;
- the rest of the headers (security, CORS, Vary, content type) are the ones Django's
  middleware put on the last answer it gave for the path, learnt when it answered one;
- the cache key: cryptodt.api.reads.rendered_request_key, the body the stored bytes.

Everything it cannot decide goes to Django untouched: a cache miss, any other path or
method, credentials that fail (Django answers the 401 and counts it: a bad, expired or
unknown-user JWT too), an Authorization header other than one ``Bearer <token>``, a JWT
set-up that needs the database per request (a blacklist-checked token class), an Origin
or Cookie header, an Accept other than JSON, ``?format=``. A caller over the limit has
already been charged here, so the request goes on with the usage in the environ
(accounts.ratelimit.PRECHARGED_ENVIRON_KEY) and Django writes the 429 without counting twice.
"""

import asyncio
import functools
import time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import get_str_from_wsgi
from django.db import close_old_connections
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts import credentials, ratelimit
from accounts.authentication import (
    API_KEY_HEADER,
    COINGECKO_PREFIX,
    KEY_HEADERS,
    UNDECIDED,
    bearer_token,
    cached_identity,
    raw_api_key,
)
from accounts.middleware import rate_limit_headers, record_request
from cryptodt import counters, observability
from cryptodt.api.reads import rendered_request_key
from cryptodt.data_cache import QueryParams, aversion, parse_query, rendered_hit
from cryptodt.middleware import apply_forwarded_client_address
from cryptodt.wsgi_bridge import _TOO_LARGE, ClientDisconnected, _send_json

# path -> the data kind its answers are versioned by (the view's ``answer(kind=...)``).
ROUTES = {"/api/prices": "prices", "/api/market": "market", "/api/v3/simple/price": "prices"}
# Request headers that decide how Django sees host and scheme.
_ROUTING_HEADERS = {
    b"host": "HTTP_HOST",
    b"x-forwarded-proto": "HTTP_X_FORWARDED_PROTO",
    b"x-forwarded-host": "HTTP_X_FORWARDED_HOST",
    b"x-forwarded-port": "HTTP_X_FORWARDED_PORT",
    b"forwarded": "HTTP_FORWARDED",
}
_ROUTING_NAMES = tuple(_ROUTING_HEADERS.values())
# Request header -> its environ name, X-API-Key first (accounts.authentication.KEY_HEADERS).
_KEY_HEADERS = {name[5:].lower().replace("_", "-").encode(): name for name in KEY_HEADERS}
_PLAIN_KEY_HEADER = {b"x-api-key": API_KEY_HEADER}
# BearerJWTAuthentication reads the Authorization header (SimpleJWT's AUTH_HEADER_NAME).
_JWT_HEADER_READ = jwt_settings.AUTH_HEADER_NAME == "HTTP_AUTHORIZATION"
MAX_LEARNT = 256  # a flood of Host names must not grow it without bound
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
# Headers that belong to one response, not to the path: never learnt, always computed.
_PER_RESPONSE = frozenset({b"date", b"content-length", b"x-ratelimit-limit", b"x-ratelimit-remaining"})
_PER_RESPONSE |= {b"x-ratelimit-reset", b"retry-after", b"x-request-id"}
# Header names as the ASGI server wants them (lower-case bytes), encoded once.
_NAME_BYTES = {
    name: name.lower().encode() for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
}
# HTTP/1.x requests without these headers have no body (RFC 9112, 6.3), so there is nothing
# to receive: not awaiting ``receive`` saves a round trip through the server's own thread
# (about 10 µs per request with granian, BENCHMARKS.md "Fast path: where the time goes").
_BODY_HEADERS = {b"content-length": "CONTENT_LENGTH", b"transfer-encoding": "HTTP_TRANSFER_ENCODING"}
_BODILESS_VERSIONS = frozenset({"1.0", "1.1"})
# Query strings up to this long have their parse and cache key memoised (the same few
# questions repeat); longer ones, and a flood of distinct ones, cost the plain parse.
_MEMO_QUERY_CHARS = 512


class _Request:
    """What the shared functions read of a request: META, method, path."""

    def __init__(self, meta: dict, method: str, path: str):
        self.META = meta
        self.method = method
        self.path = path
        self.path_info = path


class _Handoff:
    """Django answers; ``environ`` carries what was already decided."""

    __slots__ = ("environ",)

    def __init__(self, environ: dict | None = None):
        self.environ = environ


_PASS = _Handoff()
# decide() or decide_with_redis() on the event loop met credentials it cannot vouch for
# without the database.
_IN_THREAD = object()


class FastPath:
    def __init__(self, bridge):
        self.bridge = bridge
        # (path, authenticated, Host, scheme) -> the headers of Django's last 200 for it. Keyed
        # by Host and scheme too, so only hosts Django accepted (ALLOWED_HOSTS) and schemes
        # it did not redirect are answered here.
        self.learnt: dict[tuple[str, bool], list[tuple[bytes, bytes]]] = {}
        # Anonymous hits are decided on the event loop synchronously when the counters are
        # in shared memory (embedded profile), with awaited, pipelined counters with Redis.
        self.on_loop = not settings.REDIS_URL
        self.max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS

    async def __call__(self, scope: dict, receive, send) -> None:
        kind = ROUTES.get(scope["path"]) if scope["method"] == "GET" else None
        meta = _meta(scope) if kind is not None and not scope.get("root_path") else None
        if meta is None:
            await self.bridge(scope, receive, send)
            return
        if _bodiless(scope, meta):
            body = b""
        else:
            try:
                body = await self.bridge.read_body(receive)  # a GET's body, capped the same way
            except ClientDisconnected:
                return
            if body is None:
                await _send_json(send, 413, _TOO_LARGE)
                return
        if self.on_loop:
            outcome = self.decide(scope, kind, meta)
        else:
            outcome = await self.decide_with_redis(scope, kind, meta)
        if outcome is _IN_THREAD:
            # A key row to read: in a pool thread, still without Django's stack.
            loop = asyncio.get_running_loop()
            outcome = await loop.run_in_executor(self.bridge.executor, _in_thread, self, scope, kind, meta)
        if isinstance(outcome, _Handoff):
            status, headers, content = await self.bridge.respond(scope, body, outcome.environ)
            if status == 200 and outcome.environ is None and len(self.learnt) < MAX_LEARNT:
                self.learnt[_template_key(scope, meta)] = [h for h in headers if h[0] not in _PER_RESPONSE]
        else:
            status, headers, content = outcome
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content if scope["method"] != "HEAD" else b""})

    def decide(self, scope: dict, kind: str, meta: dict, *, in_thread: bool = False):
        """(status, headers, body) for a cache hit, a _Handoff to Django, or (on the loop,
        before anything is charged) _IN_THREAD."""
        started = time.perf_counter()
        path = scope["path"]
        try:
            params, request_key = _question(path, meta["QUERY_STRING"], self.max_fields)
        except ValueError:
            return _PASS  # too many fields: Django answers the 400
        if "format" in params:
            return _PASS
        body = rendered_hit(kind, request_key)
        template = self.learnt.get(_template_key(scope, meta))
        if body is None or template is None:
            return _PASS
        apply_forwarded_client_address(meta, settings.TRUSTED_PROXY_HOPS)
        request = _Request(meta, scope["method"], path)
        identity = cached_identity(meta, path=path, params=params, database=in_thread)
        if identity is UNDECIDED:
            return _PASS if in_thread else _IN_THREAD  # in the thread: Django answers the 401 and charges it
        if identity is None:
            if not settings.ANON_READS:
                return _PASS
            user, credential = AnonymousUser(), None
        else:
            user, credential = identity.user, identity.api_key
        usage = ratelimit.charge(request, user=user, cost=1)
        if usage.limited:
            return _Handoff({ratelimit.PRECHARGED_ENVIRON_KEY: usage})
        if user.is_authenticated:
            record_request(
                user=user, credential=credential, method=scope["method"], path=path, status=200, started=started
            )
        return _answer(meta, path, template, body, usage, started)

    async def decide_with_redis(self, scope: dict, kind: str, meta: dict):
        """``decide`` with Redis, on the event loop: the data version and the charge are asked
        for in the same tick, so they share one pipelined round trip with each other and
        every other request of the tick (cryptodt.redis_loop); a key's credentials version
        is one round trip before them.

        The charge is made before the version says whether the answer is still current;
        when it is not (or the version is unknown, Redis not answering) Django answers
        with the usage in the environ and does not count the request again. That is exact
        because these views cost one unit, as this charge does (ReadView.rate_cost).
        """
        started = time.perf_counter()
        path = scope["path"]
        try:
            params, request_key = _question(path, meta["QUERY_STRING"], self.max_fields)
        except ValueError:
            return _PASS
        template = self.learnt.get(_template_key(scope, meta))
        if "format" in params or template is None:
            return _PASS
        if "HTTP_AUTHORIZATION" not in meta and raw_api_key(meta, path=path, params=params) is None:
            if not settings.ANON_READS:
                return _PASS
            user, credential = AnonymousUser(), None
        else:
            # A key or JWT user this process verified at the current credentials version (one
            # round trip before the charge's) is decided here; any other is verified in a thread.
            try:
                credentials_version = await counters.aget(credentials.VERSION_KEY, now=int(time.time()))
            except counters.Unavailable:
                credentials_version = None
            identity = UNDECIDED
            if credentials_version is not None:
                identity = cached_identity(meta, path=path, params=params, version=credentials_version)
            if identity is UNDECIDED:
                return _IN_THREAD
            user, credential = identity.user, identity.api_key
        apply_forwarded_client_address(meta, settings.TRUSTED_PROXY_HOPS)
        request = _Request(meta, scope["method"], path)
        try:
            version = aversion(kind)  # queued; the charge joins it in the same round trip
        except counters.Unavailable:
            version = None
        usage = await ratelimit.acharge(request, user=user, cost=1)
        try:
            data_version = None if version is None else await version
        except counters.Unavailable:
            data_version = None
        body = None if data_version is None else rendered_hit(kind, request_key, data_version)
        if body is None or usage.limited:
            return _Handoff({ratelimit.PRECHARGED_ENVIRON_KEY: usage})
        if user.is_authenticated:
            record_request(user=user, credential=credential, method="GET", path=path, status=200, started=started)
        return _answer(meta, path, template, body, usage, started)


def _answer(meta: dict, path: str, template: list, body: bytes, usage, started: float) -> tuple:
    """The 200 for a hit: the learnt headers, the count's, a request id; the request counted."""
    headers = list(template)
    headers.append((b"content-length", b"%d" % len(body)))
    headers.extend(
        (_NAME_BYTES.get(name) or name.lower().encode(), value.encode())
        for name, value in rate_limit_headers(usage, 200).items()
    )
    # What RequestObservation does for Django's answers: an id per response, the request counted.
    headers.append((b"x-request-id", observability.request_id(meta.get("HTTP_X_REQUEST_ID", "")).encode()))
    observability.count_request(path, "GET", 200, time.perf_counter() - started)
    return 200, headers, body


def _in_thread(fast: FastPath, scope: dict, kind: str, meta: dict):
    # Outside Django's handler, so its request_started/finished hooks do not run: keep the
    # thread's connection under CONN_MAX_AGE ourselves.
    close_old_connections()
    try:
        return fast.decide(scope, kind, meta, in_thread=True)
    finally:
        close_old_connections()


def _template_key(scope: dict, meta: dict) -> tuple:
    # Everything Django's answer headers may depend on besides the path: whether a key was
    # sent, and the host and scheme as Django sees them (ALLOWED_HOSTS, SECURE_SSL_REDIRECT,
    # HSTS behind SECURE_PROXY_SSL_HEADER).
    routing = tuple(map(meta.get, _ROUTING_NAMES))
    return scope["path"], _credentials(meta), scope.get("scheme", "http"), routing


def _credentials(meta: dict) -> str:
    if "HTTP_AUTHORIZATION" in meta:
        return "jwt"
    return "key" if any(name in meta for name in KEY_HEADERS) else ""


def _bodiless(scope: dict, meta: dict) -> bool:
    return (
        scope.get("http_version") in _BODILESS_VERSIONS
        and "CONTENT_LENGTH" not in meta
        and "HTTP_TRANSFER_ENCODING" not in meta
    )


def _question(path: str, query_string: str, max_fields: int | None) -> tuple[QueryParams, tuple]:
    """The parsed query (as Django reads it) and the rendered answer's key; ValueError
    beyond ``max_fields`` fields. The caller only reads what it gets."""
    if len(query_string) > _MEMO_QUERY_CHARS:
        return _parse(path, query_string, max_fields)
    return _memo_parse(path, query_string, max_fields)


def _parse(path: str, query_string: str, max_fields: int | None) -> tuple[QueryParams, tuple]:
    params = parse_query(get_str_from_wsgi({"QUERY_STRING": query_string}, "QUERY_STRING", ""), max_fields=max_fields)
    return params, rendered_request_key(path, params)


_memo_parse = functools.lru_cache(maxsize=1024)(_parse)  # an error is raised again, never memoised


def _meta(scope: dict) -> dict | None:
    """The few environ entries the decision reads, or None when Django must answer."""
    meta = {"REQUEST_METHOD": scope["method"], "QUERY_STRING": scope.get("query_string", b"").decode("latin1")}
    client = scope.get("client")
    meta["REMOTE_ADDR"] = client[0] if client else ""
    # The key headers Django would read on this path (CoinGecko's names only on /api/v3/).
    key_headers = _KEY_HEADERS if scope["path"].startswith(COINGECKO_PREFIX) else _PLAIN_KEY_HEADER
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.lower()
        if name in key_headers:
            if key_headers[name] in meta:
                return None
            meta[key_headers[name]] = raw_value.decode("latin1")
        elif name == b"x-forwarded-for":
            value = raw_value.decode("latin1")
            old = meta.get("HTTP_X_FORWARDED_FOR")
            meta["HTTP_X_FORWARDED_FOR"] = f"{old},{value}" if old else value
        elif name in _ROUTING_HEADERS:
            if _ROUTING_HEADERS[name] in meta:
                return None  # repeated: Django's reading of it decides
            meta[_ROUTING_HEADERS[name]] = raw_value.decode("latin1")
        elif name == b"x-request-id":
            meta["HTTP_X_REQUEST_ID"] = raw_value.decode("latin1")
        elif name in _BODY_HEADERS:
            meta[_BODY_HEADERS[name]] = raw_value.decode("latin1")
        elif name == b"accept":
            if raw_value.strip().lower().decode("latin1") not in _JSON_ACCEPTS:
                return None
        elif name == b"authorization":
            # Only one Bearer token (decided like a key); any other scheme is Django's.
            value = raw_value.decode("latin1")
            if "HTTP_AUTHORIZATION" in meta or not _JWT_HEADER_READ or bearer_token(value) is None:
                return None
            meta["HTTP_AUTHORIZATION"] = value
        elif name in (b"origin", b"cookie"):
            return None
    return meta

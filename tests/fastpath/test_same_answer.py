"""The fast path (cryptodt.fastpath) answers a cached read exactly as Django would:
same status, headers (but Date) and body, the same counting, and a revoked key fails at once."""

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.wsgi import get_wsgi_application
from django.utils import timezone

from accounts import audit, authentication, ratelimit, selectors, services
from accounts.models import AuditEntry, Tier
from cryptodt import counters, fastpath
from cryptodt.fastpath import FastPath
from cryptodt.wsgi_bridge import WSGIBridge
from tests.accounts.test_limit_across_processes import _test_database_url

# The bridge runs Django in its own threads, which see only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

URLS = ["/api/prices?symbols=BTC,ETH", "/api/market?limit=2", "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd"]
CLIENT = "10.1.2.3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def apps(listing, rate_clock):
    bridge = WSGIBridge(get_wsgi_application(), threads=2, max_body_bytes=1024)
    return FastPath(bridge), bridge


class Spy:
    """Counts the requests that reached Django."""

    def __init__(self, bridge):
        self.bridge, self.calls = bridge, 0

    async def __call__(self, *args):
        self.calls += 1
        return await self.bridge(*args)

    async def respond(self, *args):
        self.calls += 1
        return await self.bridge.respond(*args)

    def __getattr__(self, name):
        return getattr(self.bridge, name)


def in_another_process(code: str, *args: str) -> None:
    """Run ``code`` (after django.setup()) in a new Python process on this test's database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cryptodt.settings", "DATABASE_URL": _test_database_url()}
    subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, check=True, timeout=60)


def get_scope(url: str, headers: list[tuple[bytes, bytes]] = (), http_version: str = "1.1") -> dict:
    """The ASGI scope of a GET from CLIENT to the test server."""
    path, _, query = url.partition("?")
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "server": ("127.0.0.1", 8000),
        "client": (CLIENT, 50000),
        "http_version": http_version,
        "scheme": "http",
        "root_path": "",
    }


def get(app, url: str, headers: dict | None = None, *, request_id: bool = False) -> tuple[int, dict, bytes]:
    scope = get_scope(url, [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()])
    sent = []
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent
    response_headers = {}
    for name, value in start["headers"]:
        response_headers.setdefault(name.decode().lower(), []).append(value.decode())
    response_headers.pop("date", None)
    if not request_id:  # one per response, whichever path answers (compared by its own test)
        response_headers.pop("x-request-id", None)
    return start["status"], response_headers, body["body"]


def forget_count(subject: str, tier: Tier) -> None:
    """Puts the caller's rate-limit counter back to zero, so two requests can be compared."""
    rate = selectors.rate_of(tier=tier) or ratelimit._UNLIMITED
    key, _end = ratelimit.counter_key(ratelimit.GROUP, subject, rate, int(ratelimit.time.time()))
    counters.delete(key)


def fast_and_slow(apps, url, headers=None, *, subject=f"ip:{CLIENT}", tier=Tier.ANONYMOUS):
    fast, bridge = apps
    get(fast, url, headers)  # Django answers it once: the answer is cached, its headers learnt
    forget_count(subject, tier)
    spy = Spy(bridge)
    fast.bridge = spy
    fast_answer = get(fast, url, headers)
    fast.bridge = bridge
    forget_count(subject, tier)
    slow_answer = get(bridge, url, headers)
    return fast_answer, slow_answer, spy.calls


@pytest.mark.parametrize("url", URLS)
def test_an_anonymous_cached_read_is_the_same_on_both_paths_and_never_reaches_django(apps, url):
    fast, slow, django_calls = fast_and_slow(apps, url)
    assert django_calls == 0
    assert fast[0] == 200
    assert fast == slow
    assert "x-ratelimit-remaining" in fast[1]


@pytest.mark.parametrize("url", URLS)
def test_a_cached_read_with_an_api_key_is_the_same_and_audited(apps, user, url):
    key = services.api_key_issue(user=user, name="laptop").key
    fast, slow, django_calls = fast_and_slow(apps, url, {"X-API-Key": key}, subject=f"user:{user.pk}", tier=Tier.FREE)
    assert django_calls == 0
    assert fast[0] == 200
    assert fast == slow
    audit.flush()
    assert AuditEntry.objects.filter(user_id=user.pk, endpoint=url.split("?")[0], status=200).count() == 3


def test_a_bad_key_gets_the_same_401_with_rate_limit_headers(apps):
    fast, slow, _ = fast_and_slow(apps, URLS[0], {"X-API-Key": "cdt_nope_nope"})
    assert fast[0] == 401
    assert fast == slow
    assert "x-ratelimit-limit" in fast[1]


def test_over_the_limit_both_paths_give_the_same_429_and_count_once(apps, settings):
    settings.RATE_ANON = "2/m"
    fast_app, bridge = apps
    assert get(fast_app, URLS[0])[0] == 200  # Django: count 1
    assert get(fast_app, URLS[0])[0] == 200  # fast path: count 2
    fast = get(fast_app, URLS[0])  # count 3
    forget_count(f"ip:{CLIENT}", Tier.ANONYMOUS)
    get(bridge, URLS[0])
    get(bridge, URLS[0])
    slow = get(bridge, URLS[0])  # count 3 again
    assert fast[0] == 429
    assert fast == slow
    assert fast[1]["retry-after"] and fast[1]["x-ratelimit-remaining"] == ["0"]


def test_a_revoked_key_fails_on_the_fast_path_at_once(apps, user):
    fast_app, _ = apps
    issued = services.api_key_issue(user=user, name="laptop")
    headers = {"X-API-Key": issued.key}
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[0] == 200  # now from the fast path
    services.api_key_revoke(user=user, prefix=issued.api_key.prefix)
    status, _, body = get(fast_app, URLS[0], headers)
    assert status == 401
    assert b"revoked" in body


def test_it_hands_requests_it_cannot_decide_to_django(apps):
    fast_app, bridge = apps
    get(fast_app, URLS[0])
    spy = Spy(bridge)
    fast_app.bridge = spy
    get(fast_app, URLS[0] + "&format=json")
    get(fast_app, URLS[0], {"Origin": "https://example.org"})
    get(fast_app, URLS[0], {"Accept": "text/csv"})
    get(fast_app, "/api/prices?symbols=SOL")  # not cached yet
    get(fast_app, URLS[0])
    assert spy.calls == 4
    assert fastpath.ROUTES


def test_an_answer_learnt_for_one_scheme_is_not_reused_for_another(listing, rate_clock, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    fast_app = FastPath(WSGIBridge(get_wsgi_application(), threads=2, max_body_bytes=1024))
    https, http = {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Proto": "http"}
    assert get(fast_app, URLS[0], https)[0] == 200
    assert get(fast_app, URLS[0], https)[0] == 200  # from the fast path
    assert get(fast_app, URLS[0], http)[0] == 301  # Django's redirect, not the https answer


def test_a_fast_answer_has_its_own_request_id_and_is_counted(apps):
    from cryptodt import metrics
    from tests.observability.conftest import value

    fast, bridge = apps
    url = "/api/prices?symbols=BTC,ETH"
    django_id = get(fast, url, request_id=True)[1]["x-request-id"][0]  # learnt from Django's answer
    before = value(metrics.scrape()[0], "cryptodt_http_requests_total", route="/api/prices", status="200")
    spy = Spy(bridge)
    fast.bridge = spy
    first = get(fast, url, request_id=True)[1]["x-request-id"]
    second = get(fast, url, {"X-Request-ID": "edge-7f3a9c01-proxy"}, request_id=True)[1]["x-request-id"]
    assert spy.calls == 0
    assert len(first) == 1 and first[0] != django_id and len(first[0]) == 32
    assert second == ["edge-7f3a9c01-proxy"]
    after = value(metrics.scrape()[0], "cryptodt_http_requests_total", route="/api/prices", status="200")
    assert after == before + 2


@pytest.mark.parametrize("header", ["x-cg-demo-api-key", "x-cg-pro-api-key"])
def test_a_key_sent_the_coingecko_way_is_charged_and_audited_as_that_user_on_the_fast_path(apps, user, header):
    key = services.api_key_issue(user=user, name="script").key
    url = URLS[2]  # /api/v3/simple/price: CoinGecko clients send the key in their own header
    fast, slow, django_calls = fast_and_slow(apps, url, {header: key}, subject=f"user:{user.pk}", tier=Tier.FREE)
    assert django_calls == 0
    assert fast[0] == 200 and fast == slow
    audit.flush()
    assert AuditEntry.objects.filter(user_id=user.pk, endpoint="/api/v3/simple/price", status=200).count() == 3


def test_a_bad_coingecko_style_key_is_the_same_401_on_both_paths(apps):
    fast, slow, _ = fast_and_slow(apps, URLS[2], {"x-cg-demo-api-key": "cdt_nope_nope"})
    assert fast[0] == 401 and fast == slow


def test_prices_stored_by_another_process_end_the_fast_answer_at_once(apps):
    fast_app, bridge = apps
    get(fast_app, URLS[0])  # Django answers and caches it
    spy = Spy(bridge)
    fast_app.bridge = spy
    get(fast_app, URLS[0])
    assert spy.calls == 0  # the cached answer, on the fast path
    bumper = "import django; django.setup(); from cryptodt import data_cache; data_cache.bump('prices')"
    in_another_process(bumper)
    get(fast_app, URLS[0])
    assert spy.calls == 1  # the next request is Django's again: the old answer is unreachable
    get(fast_app, URLS[0])
    assert spy.calls == 1  # and the new one is cached


def _raw_get(app, url: str, headers: list[tuple[bytes, bytes]], body: bytes, http_version: str = "1.1"):
    """(messages sent, number of receive calls) for one GET sending ``body``."""
    scope = get_scope(url, headers, http_version)
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent, received = [], []

    async def receive():
        received.append(1)
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent, len(received)


def test_a_get_without_a_body_is_answered_without_waiting_for_one(apps):
    fast_app, _bridge = apps
    get(fast_app, URLS[0])
    sent, receives = _raw_get(fast_app, URLS[0], [], b"")
    assert sent[0]["status"] == 200 and receives == 0
    # HTTP/2 frames a body without announcing it in a header: there it is read as before.
    sent, receives = _raw_get(fast_app, URLS[0], [], b"", http_version="2")
    assert sent[0]["status"] == 200 and receives == 1


def test_a_get_announcing_a_body_over_the_cap_is_refused_on_both_paths(apps):
    fast_app, bridge = apps
    get(fast_app, URLS[0])
    body = b"x" * 2048  # the apps' cap is 1,024 bytes
    for app in (fast_app, bridge):
        sent, receives = _raw_get(app, URLS[0], [(b"content-length", b"2048")], body)
        assert sent[0]["status"] == 413 and receives == 1


class CountingExecutor:
    """The bridge's thread pool, counting what is handed to it."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def submit(self, *args, **kwargs):
        self.calls += 1
        return self.inner.submit(*args, **kwargs)


class Clock:
    """Stands in for the ``time`` module inside accounts.authentication: the per-request
    expiry check reads it."""

    def __init__(self, offset: float):
        self.offset = offset

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


def test_a_key_seen_before_is_decided_on_the_event_loop_without_the_thread_pool(apps, user):
    fast_app, bridge = apps
    headers = {"X-API-Key": services.api_key_issue(user=user, name="laptop").key}
    assert get(fast_app, URLS[0], headers)[0] == 200  # Django answers, the answer is cached
    assert get(fast_app, URLS[0], headers)[0] == 200  # the key verified once, in a thread
    counting = CountingExecutor(bridge.executor)
    spy = Spy(bridge)
    spy.executor = counting
    fast_app.bridge = spy
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert spy.calls == 0 and counting.calls == 0  # with REDIS_URL too: its round trips are on the loop


def test_a_key_revoked_by_another_process_fails_on_the_fast_path_at_once(apps, user):
    fast_app, _ = apps
    issued = services.api_key_issue(user=user, name="laptop")
    headers = {"X-API-Key": issued.key}
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[0] == 200  # now from the fast path
    revoker = (
        "import sys, django; django.setup(); from accounts import services; "
        "services.api_key_revoke(user=None, prefix=sys.argv[1])"
    )
    in_another_process(revoker, issued.api_key.prefix)
    status, _, body = get(fast_app, URLS[0], headers)
    assert status == 401
    assert b"revoked" in body


def test_a_key_past_its_expiry_fails_on_the_fast_path_at_once(apps, user, monkeypatch):
    fast_app, _ = apps
    expires_at = timezone.now() + timedelta(hours=1)
    headers = {"X-API-Key": services.api_key_issue(user=user, name="laptop", expires_at=expires_at).key}
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[0] == 200  # now from the fast path
    monkeypatch.setattr(authentication, "time", Clock(offset=2 * 3600))
    status, _, body = get(fast_app, URLS[0], headers)
    assert status == 401
    assert b"expired" in body


def test_a_deactivated_users_key_fails_on_the_fast_path_at_once(apps, user):
    fast_app, _ = apps
    headers = {"X-API-Key": services.api_key_issue(user=user, name="laptop").key}
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[0] == 200  # now from the fast path
    user.is_active = False
    user.save()
    status, _, body = get(fast_app, URLS[0], headers)
    assert status == 401
    assert b"disabled" in body


def test_a_tier_change_gives_the_new_limit_on_the_fast_path_at_once(apps, user, settings):
    settings.RATE_FREE, settings.RATE_PRO = "30/m", "600/m"
    fast_app, bridge = apps
    headers = {"X-API-Key": services.api_key_issue(user=user, name="laptop").key}
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[1]["x-ratelimit-limit"] == ["30"]  # from the fast path
    services.tier_set(user=user, tier=Tier.PRO)
    get(fast_app, URLS[0], headers)  # verified again: the credentials changed
    spy = Spy(bridge)
    fast_app.bridge = spy
    status, response_headers, _ = get(fast_app, URLS[0], headers)
    assert status == 200 and spy.calls == 0
    assert response_headers["x-ratelimit-limit"] == ["600"]

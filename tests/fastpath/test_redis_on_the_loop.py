"""With Redis the fast path counts on the event loop (cryptodt.redis_loop): concurrent
requests share pipelined round trips and still count exactly, and a Redis that stops
or is slow to be read makes answers degraded (Django's, the limiter open) but never wrong,
never a 500, and the fast path comes back once Redis does."""

import asyncio
import shutil
import time

import pytest
from django.core.cache import caches

from accounts import ratelimit
from accounts.models import Tier
from cryptodt import counters, data_cache
from cryptodt.fastpath import FastPath
from cryptodt.wsgi_bridge import WSGIBridge
from tests.fastpath.test_same_answer import CLIENT, Spy, forget_count, get, get_scope
from tests.reliability.drill import RedisServer

pytestmark = pytest.mark.django_db(transaction=True)
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")

URL = "/api/prices?symbols=BTC,ETH"


async def fetch(app, url: str) -> int:
    """The status of one request, made on the running loop (so many can be concurrent)."""
    scope = get_scope(url)
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"]


def _fast_app():
    from django.core.wsgi import get_wsgi_application

    bridge = WSGIBridge(get_wsgi_application(), threads=2, max_body_bytes=1024)
    return FastPath(bridge), bridge


def _window_count() -> int | None:
    rate = ratelimit.selectors.rate_of(tier=Tier.ANONYMOUS)
    key, _ = ratelimit.counter_key(ratelimit.GROUP, f"ip:{CLIENT}", rate, int(ratelimit.time.time()))
    return counters.get(key, now=int(ratelimit.time.time()))


@pytest.fixture
def own_redis(settings, tmp_path):
    """A redis-server of this test's own (it may be stopped), as the scale-out profile's cache."""
    server = RedisServer(tmp_path)
    _use(settings, server)
    yield server
    server.kill()


def _use(settings, server: RedisServer) -> None:
    options = {"SOCKET_TIMEOUT": 0.25, "SOCKET_CONNECT_TIMEOUT": 0.25, "IGNORE_EXCEPTIONS": True, "RETRY_S": 0.2}
    backend = {"BACKEND": "cryptodt.cache.RedisCache", "LOCATION": server.url, "KEY_PREFIX": "cryptodt"}
    settings.CACHES = {"default": {**backend, "OPTIONS": options}, "shared": {**backend, "OPTIONS": options}}
    settings.REDIS_URL = server.url
    settings.REDIS_TIMEOUT_S = 0.25


def test_concurrent_fast_path_requests_against_a_limit_admit_exactly_the_limit(listing, rate_clock, settings):
    settings.RATE_ANON = "5/m"
    fast, bridge = _fast_app()
    assert get(fast, URL)[0] == 200  # Django answers, caches it, the headers are learnt
    forget_count(f"ip:{CLIENT}", Tier.ANONYMOUS)
    spy = Spy(bridge)
    fast.bridge = spy

    async def burst():
        return await asyncio.gather(*(fetch(fast, URL) for _ in range(12)))

    statuses = asyncio.run(burst())
    assert sorted(statuses) == [200] * 5 + [429] * 7
    assert spy.calls == 7  # only the refused ones reach Django, which does not count them again
    assert _window_count() == 12


def test_many_counts_in_one_tick_each_get_their_own_exact_value(settings):
    now = int(time.time())

    async def tick():
        return await asyncio.gather(*(counters.aincr("c", 1, expires_at=now + 60, now=now) for _ in range(200)))

    assert sorted(asyncio.run(tick())) == list(range(1, 201))
    assert counters.get("c", now=now) == 200


@needs_redis_server
def test_a_counter_written_by_the_loop_is_read_by_django_and_expires(own_redis):
    now = int(time.time())

    async def count():
        return await counters.aincr("rl:test", 3, expires_at=now + 30, now=now)

    assert asyncio.run(count()) == 3
    assert counters.incr("rl:test", 2, expires_at=now + 30, now=now) == 5  # the sync path, the same key
    assert caches["default"].get("rl:test") == 5  # django-redis' own reading of it
    assert 0 < caches["default"].ttl("rl:test") <= 30


@needs_redis_server
def test_a_redis_that_forgot_the_script_still_counts_every_call_once(own_redis):
    import redis

    now = int(time.time())
    server = redis.Redis.from_url(own_redis.url)

    async def counts():
        first = await counters.aincr("rl:forgot", 1, expires_at=now + 30, now=now)
        server.script_flush()  # a restarted or flushed Redis: NOSCRIPT for the next EVALSHA
        return first, await asyncio.gather(
            *(counters.aincr("rl:forgot", 1, expires_at=now + 30, now=now) for _ in range(3))
        )

    assert asyncio.run(counts()) == (1, [2, 3, 4])
    server.script_flush()
    assert counters.incr("rl:forgot", 1, expires_at=now + 30, now=now) == 5  # the sync path too
    assert not caches["default"].breaker.is_open()


@needs_redis_server
def test_a_loop_held_up_past_the_timeout_is_not_taken_for_a_redis_failure(own_redis, settings):
    now = int(time.time())

    async def held_up():
        await counters.aget("warm", now=now)  # the loop's connection is open
        pending = asyncio.ensure_future(counters.aincr("held", 1, expires_at=now + 60, now=now))
        for _ in range(5):  # the pipeline goes out
            await asyncio.sleep(0)
        time.sleep(settings.REDIS_TIMEOUT_S * 3)  # the loop busy elsewhere; Redis answered meanwhile
        return await pending

    assert asyncio.run(held_up()) == 1
    assert not caches["default"].breaker.is_open()


@needs_redis_server
def test_redis_stopped_mid_run_gives_django_answers_without_limits_then_the_fast_path_returns(
    own_redis, listing, rate_clock, settings, tmp_path
):
    fast, bridge = _fast_app()
    status, _, body = get(fast, URL)
    assert status == 200
    spy = Spy(bridge)
    fast.bridge = spy
    assert get(fast, URL)[0] == 200 and spy.calls == 0  # on the fast path

    own_redis.kill()

    async def burst():
        return await asyncio.gather(*(fetch(fast, URL) for _ in range(5)))

    assert asyncio.run(burst()) == [200] * 5  # Django's answers: the version is unknown
    degraded = get(fast, URL)
    fast.bridge = bridge
    slow = get(bridge, URL)
    assert degraded[0] == 200 and degraded[2] == body
    assert degraded == slow  # the same fail-open answer as the sync path's
    assert degraded[1]["x-ratelimit-remaining"] == [degraded[1]["x-ratelimit-limit"][0]]  # not counted

    revived = RedisServer(tmp_path, port=own_redis.port)
    try:
        spy = Spy(bridge)
        fast.bridge = spy
        # The new Redis holds no data version: Django answers, and its read starts a new one
        # (from the clock, so no answer kept under an old number is reachable again).
        assert get(fast, URL)[0] == 200 and spy.calls == 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not data_cache.version("prices"):
            time.sleep(0.1)  # the breaker lets a call through after RETRY_S
        assert get(fast, URL)[0] == 200  # Django renders the answer of the new version
        calls = spy.calls
        first = get(fast, URL)
        second = get(fast, URL)
        assert spy.calls == calls  # answered on the loop again
        assert first[0] == second[0] == 200
        assert int(second[1]["x-ratelimit-remaining"][0]) == int(first[1]["x-ratelimit-remaining"][0]) - 1
    finally:
        revived.kill()

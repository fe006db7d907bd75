"""WS_MAX_CONNECTIONS: how many price-feed sockets may be open at once.

Embedded profile: a counter in each web process, which may hold its share of the limit
(WS_MAX_CONNECTIONS / WEB_WORKERS), so the processes together never exceed it. With REDIS_URL: one sorted
set in Redis shared by every web worker, each socket scored by when it last said it was
alive (at every heartbeat); sockets silent for three heartbeats are not counted, so a
worker that dies with open sockets does not hold their slots forever.
"""

import time
import uuid
from functools import lru_cache

from asgiref.sync import sync_to_async
from django.conf import settings

_KEY = "cryptodt:ws:connections"
_local: set[str] = set()


@lru_cache(maxsize=1)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def _grace_s() -> float:
    return 3 * settings.WS_HEARTBEAT_S + 5


def acquire() -> str | None:
    """A slot id, or None when the feed is full. Blocking (Redis): call it from a thread."""
    slot = uuid.uuid4().hex
    if not settings.REDIS_URL:
        if len(_local) >= max(1, settings.WS_MAX_CONNECTIONS // settings.WEB_WORKERS):
            return None
        _local.add(slot)
        return slot
    now = time.time()
    with _redis(settings.REDIS_URL).pipeline() as pipe:
        pipe.zremrangebyscore(_KEY, "-inf", now - _grace_s())
        pipe.zadd(_KEY, {slot: now})
        pipe.zcard(_KEY)
        pipe.expire(_KEY, int(_grace_s()) + 60)
        _, _, count, _ = pipe.execute()
    if count > settings.WS_MAX_CONNECTIONS:
        release(slot)
        return None
    return slot


def keep_alive(slot: str) -> None:
    if settings.REDIS_URL:
        _redis(settings.REDIS_URL).zadd(_KEY, {slot: time.time()}, xx=True)


def release(slot: str) -> None:
    if not settings.REDIS_URL:
        _local.discard(slot)
        return
    _redis(settings.REDIS_URL).zrem(_KEY, slot)


def in_use() -> int:
    if not settings.REDIS_URL:
        return len(_local)
    return int(_redis(settings.REDIS_URL).zcount(_KEY, time.time() - _grace_s(), "+inf"))


# For the consumer: Redis calls run in a worker thread, the in-process counter does not need one.


async def aacquire() -> str | None:
    return await sync_to_async(acquire, thread_sensitive=False)() if settings.REDIS_URL else acquire()


async def akeep_alive(slot: str) -> None:
    if settings.REDIS_URL:
        await sync_to_async(keep_alive, thread_sensitive=False)(slot)


async def arelease(slot: str) -> None:
    if settings.REDIS_URL:
        await sync_to_async(release, thread_sensitive=False)(slot)
    else:
        release(slot)

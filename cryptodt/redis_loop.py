"""Redis counters for the event loop: every call made during one loop tick goes to Redis
in one pipeline, one write and one read (cryptodt.counters.aget/aincr, used by
cryptodt.fastpath).

Why coalesce: a cached read makes two Redis calls (its data version, its rate-limit
charge) and a busy worker has dozens of reads in one tick; one round trip for all of
them costs about what one costs, and nothing blocks the loop. While a pipeline is in
flight the next calls queue and go together once it is answered, so the batch grows
with the load instead of the number of round trips.

Failures are the cache's (cryptodt.cache): the same breaker per Redis server, so a
Redis the loop found down is skipped by Django's calls too, and the other way round. A
call fails with ``Unavailable`` when Redis refuses, errs or stays silent for
REDIS_TIMEOUT_S, or while the breaker is open; callers fail open (rate limits) or hand
the request to Django (data versions). Never a hung request, never a 500.

A loop that is merely busy is not a silent Redis: asyncio runs an iteration's I/O
callbacks before its due timers, so a reply that arrived while the loop was held up
(other requests, the GIL held by Django's threads) is read in the iteration the timeout
fires in; the timeout is only believed after a few more iterations without the reply.
The connection has no socket timeout of its own for the same reason: redis-py's would
fire on a busy loop and cut a healthy connection.

One client per event loop (granian runs one per worker process; tests run many), each
with one connection.
"""

import asyncio
import hashlib
import logging
import os

from redis.asyncio import ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import NoScriptError, ResponseError

logger = logging.getLogger(__name__)

# INCRBY, and the expiry set by the increment that created the counter, atomically: one
# round trip, and no counter left without an expiry by a caller that died between two
# calls. ARGV[2] <= 0: the counter never expires (data versions).
INCR_SCRIPT = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return value
"""
INCR_SHA = hashlib.sha1(INCR_SCRIPT.encode(), usedforsecurity=False).hexdigest()
# Iterations a timed-out pipeline is still given to deliver a reply already received.
GRACE_TICKS = 3


class Unavailable(Exception):
    """Redis did not answer this call (down, frozen, erring, or the breaker open)."""


class LoopClient:
    def __init__(self, url: str, *, timeout_s: float, breaker, make_key, loop: asyncio.AbstractEventLoop):
        self.url = url
        self.make_key = make_key  # the cache's key format, so Django's calls meet the same keys
        self.timeout_s = timeout_s
        self.breaker = breaker
        self.loop = loop
        self.pid = os.getpid()
        self.pool = ConnectionPool.from_url(
            url, socket_timeout=None, socket_connect_timeout=None, retry=Retry(NoBackoff(), 0)
        )
        self.connection = None
        # (command, convert, the futures waiting for its reply): a read already pending in
        # this tick is shared, not sent twice.
        self.pending: list[tuple[tuple, object, list[asyncio.Future]]] = []
        self.reads: dict[tuple, list[asyncio.Future]] = {}
        self.packed: dict[tuple, bytes] = {}
        self.flusher: asyncio.Task | None = None
        self.closing: set[asyncio.Task] = set()

    def call(self, *command, convert=None) -> asyncio.Future:
        """A future of ``convert(reply)`` to ``command``, sent with every other call of this tick."""
        if self.breaker.is_open():
            raise Unavailable
        future = self.loop.create_future()
        self.pending.append((command, convert, [future]))
        self._schedule()
        return future

    def read(self, *command, convert=None) -> asyncio.Future:
        """``call`` for a command without side effects: one sent per tick, its reply shared
        (every cached read of a tick asks for the same data version)."""
        if self.breaker.is_open():
            raise Unavailable
        future = self.loop.create_future()
        waiting = self.reads.get(command)
        if waiting is None:
            waiting = self.reads[command] = []
            self.pending.append((command, convert, waiting))
            self._schedule()
        waiting.append(future)
        return future

    def _schedule(self) -> None:
        if self.flusher is None:
            # A task's first step runs in the next iteration: every call of this one joins.
            self.flusher = self.loop.create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self.pending:
                batch, self.pending, self.reads = self.pending, [], {}
                try:
                    await self._send(batch)
                except BaseException:  # never leave a caller waiting, whatever happened
                    _fail(batch)
                    raise
        finally:
            self.flusher = None

    async def _send(self, batch: list) -> None:
        if self.breaker.is_open():
            _fail(batch)
            return
        commands = [command for command, _, _ in batch]
        try:
            replies = await self._bounded(commands)
            missing = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
            if missing:  # a restarted or flushed Redis: load the script once, run those again
                again = await self._bounded([("SCRIPT", "LOAD", INCR_SCRIPT), *(commands[i] for i in missing)])
                for i, reply in zip(missing, again[1:], strict=True):
                    replies[i] = reply
        except Exception as exc:  # refused, reset, timed out: the breaker opens for everyone
            self.breaker.trip(exc)
            _fail(batch)
            return
        for (_, convert, waiting), reply in zip(batch, replies, strict=True):
            if not isinstance(reply, Exception) and convert is not None:
                try:
                    reply = convert(reply)
                except ValueError as exc:  # not a counter (a pickled value under the key)
                    reply = exc
            for future in waiting:
                if future.done():
                    continue
                if isinstance(reply, Exception):
                    future.set_exception(Unavailable())
                else:
                    future.set_result(reply)

    async def _bounded(self, commands: list) -> list:
        task = self.loop.create_task(self._round_trip(commands))
        done, _ = await asyncio.wait((task,), timeout=self.timeout_s)
        for _ in range(0 if done else GRACE_TICKS):
            await asyncio.sleep(0)
            if task.done():
                break
        if not task.done():
            task.cancel()
            raise TimeoutError(f"no reply from Redis in {self.timeout_s}s")
        return task.result()

    def _pack(self, connection, commands: list) -> bytes:
        # One buffer, one write. The reads repeat (the same few data versions): packed once.
        parts = []
        for command in commands:
            packed = self.packed.get(command)
            if packed is None:
                packed = b"".join(connection.pack_command(*command))
                if command[0] == "GET" and len(self.packed) < 64:
                    self.packed[command] = packed
            parts.append(packed)
        return b"".join(parts)

    async def _round_trip(self, commands: list) -> list:
        connection = self.connection
        if connection is None:
            connection = self.connection = self.pool.make_connection()
        try:
            await connection.send_packed_command(self._pack(connection, commands), check_health=False)
            replies = []
            for _ in commands:
                try:
                    replies.append(await connection.read_response(disconnect_on_error=True))
                except ResponseError as exc:  # this command's error reply; the connection is fine
                    replies.append(exc)
            return replies
        except BaseException:
            # Cancelled or broken half-way: replies may still be coming, so it cannot be reused.
            self.connection = None
            closing = self.loop.create_task(connection.disconnect(nowait=True))
            self.closing.add(closing)
            closing.add_done_callback(self.closing.discard)
            raise


def _fail(batch: list) -> None:
    for _, _, waiting in batch:
        for future in waiting:
            if not future.done():
                future.set_exception(Unavailable())


_clients: dict[int, LoopClient] = {}


def current() -> LoopClient | None:
    """This event loop's client, if it has one."""
    loop = asyncio.get_running_loop()
    found = _clients.get(id(loop))
    return found if found is not None and found.loop is loop and found.pid == os.getpid() else None


def client(url: str, *, timeout_s: float, cache) -> LoopClient:
    """This event loop's client (one per loop and process) for ``cache``'s Redis server."""
    loop = asyncio.get_running_loop()
    found = _clients.get(id(loop))
    if found is None or found.loop is not loop or found.pid != os.getpid() or found.url != url:
        for key, other in list(_clients.items()):  # loops that ended (tests run many) go
            if other.loop.is_closed():
                del _clients[key]
        found = _clients[id(loop)] = LoopClient(
            url, timeout_s=timeout_s, breaker=cache.breaker, make_key=cache.make_key, loop=loop
        )
    return found

"""One fan-out per price batch in each web process: the frame text written straight to the
sockets that follow each coin.

Channels' own way (a group per coin with every socket in it) costs per socket per price:
the in-memory layer deep-copies the message into each consumer's queue and sweeps every
channel for expiry on each receive, each consumer wakes and its dispatch hops to a thread
(``aclose_old_connections``) before it sends; with Redis every socket is a member of the
coin's group in Redis. Measured at 1,000 sockets that, not the network, was the feed's
cost (BENCHMARKS.md, "Live feed").

Here each consumer opens an ``Outlet`` (its ASGI send, the last price it sent of each coin)
and registers the coins it follows in this process's registry. A batch of prices reaches
the process once — from the channel layer group ``PRICES_GROUP``, of which the process's
listener is the only member (``streaming.services`` sends each stored batch there as one
message), or from the relay (embedded profile) — and ``deliver`` writes each price's text,
encoded once, to every follower in one pass. A socket whose writes wait (a slow reader)
does not hold up the others: it keeps the newest unsent price of each coin and catches up
when it drains. Consumers keep connections, subscriptions, credentials, heartbeats and
alerts; only prices go this way.
"""

import asyncio
import logging
import types
import weakref

from channels.layers import get_channel_layer

from cryptodt import metrics
from streaming.frames import PRICE_BATCH, PRICES_GROUP, price_text

logger = logging.getLogger(__name__)

# Channel-layer groups expire (channels_redis: a day); the listener joins again well before.
REJOIN_S = 3600.0
RETRY_S = 1.0


@types.coroutine
def _resume(coro, yielded):
    """Carries on, as an awaitable, a coroutine that was stepped by hand and suspended
    yielding ``yielded`` (what an eager task does; Python 3.12 has them built in)."""
    while True:
        try:
            sent = yield yielded
        except BaseException as exc:
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value


class Outlet:
    """One socket's end of the fan-out: each coin's price once and in order, written at once
    when the socket can take it (no task per write: the ASGI send nearly always completes
    without waiting), else kept — the newest of each coin — until its pending write is done."""

    __slots__ = ("send", "last", "pending", "closed", "task", "__weakref__")

    def __init__(self, send) -> None:
        self.send = send  # the consumer's ASGI send
        self.last: dict[int, tuple[str, str]] = {}  # coin pk -> (as_of, price) last sent
        self.pending: dict[int, str] | None = None  # None: no write in flight
        self.closed = False
        self.task: asyncio.Task | None = None

    def offer(self, coin: int, mark: tuple[str, str], text: str) -> bool:
        """Sends ``text`` (the price frame of ``mark``) unless the socket already got this
        price or a newer one of the coin (a price can reach a process twice: relay and broadcast)."""
        last = self.last.get(coin)
        if self.closed or (last is not None and (mark[0] < last[0] or mark == last)):
            return False
        self.last[coin] = mark
        if self.pending is not None:
            self.pending.pop(coin, None)  # re-inserted last: frames keep the order they came in
            self.pending[coin] = text
            return True
        self._write(text)
        return True

    def forget(self, coin: int) -> None:
        self.last.pop(coin, None)
        if self.pending:
            self.pending.pop(coin, None)

    def close(self) -> None:
        self.closed = True
        self.pending = None
        if self.task is not None and not self.task.done() and self.task is not asyncio.current_task():
            self.task.cancel()

    def _write(self, text: str) -> None:
        coro = self._send(text)
        try:
            yielded = coro.send(None)
        except StopIteration:
            return  # written without waiting: the usual case
        except Exception as exc:
            self._failed(exc)
            return
        self.pending = {}
        self.task = asyncio.ensure_future(self._finish(coro, yielded))

    async def _send(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    async def _finish(self, coro, yielded) -> None:
        try:
            await _resume(coro, yielded)
            while self.pending and not self.closed:
                pending, self.pending = self.pending, {}
                for text in pending.values():
                    await self._send(text)
        except Exception as exc:
            self._failed(exc)
        finally:
            coro.close()
            if not self.closed:
                self.pending = None

    def _failed(self, exc: Exception) -> None:
        # The socket went away mid-write; the consumer's disconnect unregisters it.
        logger.debug("price frame not written: %s: %s", exc.__class__.__name__, exc)
        self.closed = True
        self.pending = None


class Registry:
    """This event loop's sockets per coin, and the listener that feeds them batches."""

    def __init__(self) -> None:
        self.followers: dict[int, dict[Outlet, None]] = {}  # coin pk -> outlets (ordered)
        self.listener: asyncio.Task | None = None
        self.joined: asyncio.Future | None = None

    async def follow(self, outlet: Outlet, coin_pks) -> None:
        """Registers the coins; returns once this process receives their prices (the
        caller's snapshot, read next, cannot miss a price stored meanwhile)."""
        if get_channel_layer() is not None:
            await self._listening()
        for pk in coin_pks:
            self.followers.setdefault(pk, {})[outlet] = None

    def unfollow(self, outlet: Outlet, coin_pks) -> None:
        for pk in coin_pks:
            outlets = self.followers.get(pk)
            if outlets is not None:
                outlets.pop(outlet, None)
                if not outlets:
                    del self.followers[pk]
            outlet.forget(pk)
        # Nobody follows anything: stop listening until someone does (not while a
        # subscription waits for the listener to join: it would wait forever).
        if not self.followers and self.listener is not None and self.joined.done():
            self.listener.cancel()
            self.listener = self.joined = None

    def deliver(self, events: list[dict]) -> int:
        """Writes each price to the sockets following its coin; how many frames it wrote."""
        written = 0
        for event in events:
            outlets = self.followers.get(event["coin"])
            if not outlets:
                continue
            coin, text, mark = event["coin"], price_text(event), (event["as_of"], event["price"])
            for outlet in outlets:
                written += outlet.offer(coin, mark, text)
        if written:
            metrics.WS_FRAMES.labels("price").inc(written)
        return written

    async def _listening(self) -> None:
        if self.listener is None or self.listener.done():
            self.joined = asyncio.get_running_loop().create_future()
            self.listener = asyncio.get_running_loop().create_task(_listen(self, self.joined), name="streaming-fanout")
        await asyncio.shield(self.joined)


async def _listen(registry: Registry, joined: asyncio.Future) -> None:
    layer = get_channel_layer()
    # The default prefix: channels_redis receives all of a process's channels through one
    # list ("specific.<process>!"); a channel of another prefix would wait on that lock.
    channel = await layer.new_channel()
    try:
        await layer.group_add(PRICES_GROUP, channel)
    except Exception as exc:
        joined.set_exception(exc)  # this subscription fails; the next one tries again
        return
    joined.set_result(None)
    rejoin = asyncio.get_running_loop().create_task(_rejoin(layer, channel))
    try:
        while True:
            try:
                message = await layer.receive(channel)
            except Exception as exc:  # Redis gone away: keep trying, the sockets stay open
                logger.warning("price fan-out receive failed: %s: %s", exc.__class__.__name__, exc)
                await asyncio.sleep(RETRY_S)
                continue
            if message.get("type") == PRICE_BATCH:
                registry.deliver(message["events"])
    finally:
        rejoin.cancel()
        try:
            await layer.group_discard(PRICES_GROUP, channel)
        except Exception as exc:  # gone with Redis; the membership expires on its own
            logger.debug("price fan-out could not leave its group: %s", exc)


async def _rejoin(layer, channel: str) -> None:
    while True:
        await asyncio.sleep(REJOIN_S)
        try:
            await layer.group_add(PRICES_GROUP, channel)
        except Exception as exc:
            logger.warning("price fan-out could not rejoin its group: %s: %s", exc.__class__.__name__, exc)


_registries: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Registry]" = weakref.WeakKeyDictionary()


def registry() -> Registry:
    """The running event loop's registry (one per web process; tests run a loop each)."""
    loop = asyncio.get_running_loop()
    found = _registries.get(loop)
    if found is None:
        found = _registries[loop] = Registry()
    return found

"""/ws/prices: the live price feed (docs/API.md).

The consumer only translates between frames and the streaming selectors/services: it
authenticates, keeps the connection's subscriptions, answers every bad frame with an
error frame (never a dropped socket) and relays alerts. Prices do not pass through it: it
registers its socket's coins with the process's fan-out (streaming.fanout), which writes
the price frames to the socket directly.
"""

import asyncio
import collections
import json
import logging
import time
import weakref

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from rest_framework import exceptions

from accounts.authentication import aauthenticate_websocket
from alerts.events import alert_group_for
from cryptodt import metrics
from markets.selectors import coins_for_symbols
from streaming import capacity, fanout, relay
from streaming.frames import alert_frame, error_frame, heartbeat_frame, price_text, to_text
from streaming.selectors import latest_price_events
from streaming.signals import socket_user_closed, socket_user_opened

logger = logging.getLogger(__name__)

MAX_SYMBOLS = 200  # per connection
MAX_FRAME_CHARS = 16_384  # a subscribe frame with MAX_SYMBOLS tickers needs a few KiB
MAX_SYMBOL_CHARS = 40
FRAMES_PER_S = 10  # sustained client frames per connection; each may cost a query
FRAME_BURST = 40
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FULL = 1013  # RFC 6455 "Try Again Later"
# channels_redis draws each group_add/discard (the alert groups) from a pool of 100
# connections that raises (not waits) when empty; a burst must queue here instead.
LAYER_CONCURRENCY = 50
_layer_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = weakref.WeakKeyDictionary()


def _layer_slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _layer_slots:
        _layer_slots[loop] = asyncio.Semaphore(LAYER_CONCURRENCY)
    return _layer_slots[loop]


clock = time.monotonic


class FrameBudget:
    """A token bucket: FRAME_BURST frames at once, FRAMES_PER_S after that."""

    def __init__(self) -> None:
        self.tokens = float(FRAME_BURST)
        self.at = clock()

    def spend(self) -> bool:
        now = clock()
        self.tokens = min(float(FRAME_BURST), self.tokens + (now - self.at) * FRAMES_PER_S)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class PriceFeedConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.coins: dict[int, str] = {}  # coin pk -> symbol as the client knows it
        self.outlet: fanout.Outlet | None = None  # this socket in the process's price fan-out
        self.slot: str | None = None
        self.heartbeat: asyncio.Task | None = None
        self.expiry: asyncio.Task | None = None
        self.budget = FrameBudget()
        self.throttled = False  # one error frame per burst of refused frames, not one each
        self.alert_group: str | None = None
        self.alerts_sent: collections.deque = collections.deque(maxlen=500)
        try:
            self.identity = await aauthenticate_websocket(self.scope.get("query_string", b""))
        except exceptions.APIException as exc:
            code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) else "invalid_credentials"
            await self._refuse(code, str(exc.detail), CLOSE_UNAUTHENTICATED)
            return
        self.slot = await capacity.aacquire()
        if self.slot is None:
            message = f"The price feed is full ({settings.WS_MAX_CONNECTIONS} connections); try again later."
            await self._refuse("too_many_connections", message, CLOSE_FULL)
            return
        await self.accept()
        self.outlet = fanout.Outlet(self.base_send)
        metrics.WS_CONNECTIONS.inc()
        self.heartbeat = asyncio.get_running_loop().create_task(self._beat())
        if self.identity.user.is_authenticated:
            # The owner's alert frames (alerts sends them to this group; streaming only relays).
            self.alert_group = alert_group_for(self.identity.user.pk)
            async with _layer_slot():
                await self.channel_layer.group_add(self.alert_group, self.channel_name)
            socket_user_opened.send_robust(sender=self.__class__, user_pk=self.identity.user.pk)
        if self.identity.expires_at is not None:
            self.expiry = asyncio.get_running_loop().create_task(self._expire(self.identity.expires_at))

    async def _expire(self, at: float) -> None:
        # A JWT authorises the connection only for its own lifetime; an API key has no clock.
        await asyncio.sleep(max(0.0, at - time.time()))
        await self.send_json(error_frame("token_expired", "The access token has expired; reconnect with a new one."))
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def _refuse(self, code: str, message: str, close_code: int) -> None:
        # Accepted first so the client can read why, then closed with a code it can act on.
        await self.accept()
        await self.send_json(error_frame(code, message))
        await self.close(code=close_code)

    async def disconnect(self, code) -> None:
        for task in (self.heartbeat, self.expiry):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if self.outlet is not None:
            self.outlet.close()
        if self.coins:
            coins, self.coins = list(self.coins), {}
            fanout.registry().unfollow(self.outlet, coins)
            relay.unfollow(coins)
        if self.alert_group is not None:
            socket_user_closed.send_robust(sender=self.__class__, user_pk=self.identity.user.pk)
            async with _layer_slot():
                await self.channel_layer.group_discard(self.alert_group, self.channel_name)
            self.alert_group = None
        if self.slot is not None:
            metrics.WS_CONNECTIONS.dec()
            await capacity.arelease(self.slot)
            self.slot = None

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(settings.WS_HEARTBEAT_S)
            await self.send_json(heartbeat_frame())
            await capacity.akeep_alive(self.slot)

    # --- client frames ----------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not self.budget.spend():
            if not self.throttled:
                self.throttled = True
                message = f"More than {FRAMES_PER_S} frames a second; frames are ignored until the pace drops."
                await self.send_json(error_frame("rate_limited", message))
            return
        self.throttled = False
        if text_data is None:
            await self.send_json(error_frame("invalid_frame", "Frames must be JSON text, not binary."))
            return
        if len(text_data) > MAX_FRAME_CHARS:
            await self.send_json(error_frame("frame_too_large", f"Frames are limited to {MAX_FRAME_CHARS} characters."))
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            await self.send_json(error_frame("invalid_json", "The frame is not valid JSON."))
            return
        try:
            await self.receive_json(content)
        except Exception:  # the database gone away, say: the client hears it, the socket stays
            logger.exception("price feed frame failed")
            await self.send_json(error_frame("unavailable", "The feed could not do that just now; try again."))

    async def receive_json(self, content, **kwargs) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        if action == "ping":
            await self.send_json({"type": "pong"})
        elif action in ("subscribe", "unsubscribe"):
            symbols = self._symbols(content)
            if symbols is None:
                return await self.send_json(
                    error_frame(
                        "invalid_symbols",
                        f"'symbols' must be a non-empty list of at most {MAX_SYMBOLS} ticker strings.",
                    )
                )
            await (self._subscribe(symbols) if action == "subscribe" else self._unsubscribe(symbols))
        elif not isinstance(content, dict):
            await self.send_json(error_frame("invalid_frame", "A frame must be a JSON object with an 'action'."))
        else:
            await self.send_json(
                error_frame("unknown_action", "'action' must be one of 'subscribe', 'unsubscribe', 'ping'.")
            )

    @staticmethod
    def _symbols(content: dict) -> list[str] | None:
        symbols = content.get("symbols")
        if not isinstance(symbols, list) or not 0 < len(symbols) <= MAX_SYMBOLS:
            return None
        # isprintable refuses NUL (PostgreSQL cannot store it), control characters and lone surrogates.
        if not all(isinstance(s, str) and 0 < len(s.strip()) <= MAX_SYMBOL_CHARS and s.isprintable() for s in symbols):
            return None
        return [s.strip().upper() for s in symbols]

    async def _subscribe(self, symbols: list[str]) -> None:
        coins, unknown = await database_sync_to_async(coins_for_symbols)(symbols=symbols)
        new = [coin for coin in coins if coin.pk not in self.coins]
        room = MAX_SYMBOLS - len(self.coins)
        refused = [coin.symbol for coin in new[max(room, 0) :]]
        new = new[: max(room, 0)]
        if new:
            await fanout.registry().follow(self.outlet, [coin.pk for coin in new])
        for coin in new:
            self.coins[coin.pk] = coin.symbol
        relay.follow([coin.pk for coin in new])
        await self.send_json({"type": "subscribed", "symbols": list(self.coins.values())})
        if unknown:
            names = ", ".join(unknown[:20]) + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
            await self.send_json(error_frame("unknown_symbol", f"No coin with symbol {names}."))
        if refused:
            await self.send_json(
                error_frame(
                    "too_many_symbols",
                    f"At most {MAX_SYMBOLS} symbols per connection; not subscribed: {', '.join(refused)}.",
                )
            )
        if new:
            events = await database_sync_to_async(latest_price_events)(coin_pks=[c.pk for c in new])
            # Through the outlet, like every price: it drops one the fan-out already sent.
            for _, event in events:
                if self.outlet.offer(event["coin"], (event["as_of"], event["price"]), price_text(event)):
                    metrics.WS_FRAMES.labels("price").inc()

    async def _unsubscribe(self, symbols: list[str]) -> None:
        wanted = set(symbols)
        gone = [pk for pk, symbol in self.coins.items() if symbol in wanted]
        for pk in gone:
            del self.coins[pk]
        fanout.registry().unfollow(self.outlet, gone)
        relay.unfollow(gone)
        await self.send_json({"type": "subscribed", "symbols": list(self.coins.values())})

    # --- channel-layer events (prices come through streaming.fanout) ------------------------

    async def send_json(self, content, close=False) -> None:
        metrics.WS_FRAMES.labels(content.get("type", "other")).inc()
        await super().send_json(content, close=close)

    async def alert_fired(self, event: dict) -> None:
        # In the embedded profile a firing can arrive twice (directly and by alerts' relay).
        firing_id = event.get("alert", {}).get("firing_id")
        if firing_id in self.alerts_sent:
            return
        self.alerts_sent.append(firing_id)
        await self.send_json(alert_frame(event))

    @classmethod
    async def encode_json(cls, content) -> str:
        return to_text(content)

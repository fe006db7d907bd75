"""Binance's all-market mini-ticker stream into the price feed (``stream_prices``).

``wss://stream.binance.com:9443/ws/!miniTicker@arr`` pushes, about once a second, an
array of the tickers that changed: ``{"e": "24hrMiniTicker", "E": <ms>, "s": "BTCUSDT",
"c": close, "o": open 24 h ago, "h", "l", "v": base volume, "q": quote volume}``, numbers
as strings. USDT pairs stand in for USD, as in the REST provider. Each coin is stored
(through the ingest service, which broadcasts) at most once per STREAM_STORE_INTERVAL_S.

The steps are small functions the tests call directly; ``run`` strings them together
with reconnects and backoff.
"""

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import websockets
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches

from markets.models import Coin
from markets.providers import stats
from markets.providers.errors import InvalidPayload
from markets.providers.payload import Checker, decode_json
from markets.providers.records import Quote
from markets.services import ingest
from markets.services.validation import InvalidRecord

logger = logging.getLogger(__name__)

PROVIDER = "binance"
STREAM_PATH = "/ws/!miniTicker@arr"
_PCT = Decimal("0.00000001")
_PAIRS_REFRESH_S = 600


def stream_url() -> str:
    return settings.BINANCE_WS_URL.rstrip("/") + STREAM_PATH


def binance_pairs() -> dict[str, tuple[str, str]]:
    """Pair (``BTCUSDT``) -> (coin id, symbol), as the registry assigned them."""
    rows = Coin.objects.exclude(binance_pair="").values_list("binance_pair", "coin_id", "symbol")
    return {pair.upper(): (coin_id, symbol) for pair, coin_id, symbol in rows}


def parse_tickers(body: bytes | str, *, pairs: dict[str, tuple[str, str]]) -> list[Quote]:
    """Quotes of the known pairs in one message; InvalidPayload rejects the whole message."""
    check = Checker(PROVIDER, STREAM_PATH)
    raw = body.encode() if isinstance(body, str) else body
    data = decode_json(PROVIDER, STREAM_PATH, raw)
    if isinstance(data, dict) and "data" in data:  # the combined-stream wrapper
        data = data["data"]
    quotes = []
    for item in check.list(data, "ticker array", allow_empty=True):
        ticker = check.dict(item, "ticker")
        pair = check.text(ticker, "s", "ticker").upper()
        what = f"ticker {pair[:20]}"
        close = check.decimal(check.field(ticker, "c", what), f"{what} close")
        as_of = check.unix(check.field(ticker, "E", what), f"{what} event time", millis=True)
        if pair not in pairs:
            continue
        coin_id, symbol = pairs[pair]
        close = check.price(close, f"{what} close", vs="usdt")
        opened = check.non_negative(ticker.get("o"), f"{what} open")
        change = ((close - opened) / opened * 100).quantize(_PCT) if opened else None
        quotes.append(
            Quote(
                coin_id=coin_id,
                symbol=symbol,
                price=close,
                as_of=as_of,
                volume_24h=check.amount(ticker.get("q"), f"{what} quote volume"),
                change_24h_pct=change,
                source=PROVIDER,
            )
        )
    return quotes


@dataclass
class Throttle:
    """At most one stored tick per coin per ``interval`` seconds (monotonic clock)."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    last: dict[str, float] = field(default_factory=dict)

    def due(self, quotes: list[Quote]) -> list[Quote]:
        now = self.clock()
        chosen = {}
        for quote in quotes:
            stored = self.last.get(quote.coin_id)
            if stored is None or now - stored >= self.interval:
                chosen[quote.coin_id] = quote  # the newest tick of a coin in this message wins
        for coin_id in chosen:
            self.last[coin_id] = now
        return list(chosen.values())


_LAST_STORED_KEY = "streaming:last-stored"


def store(quotes: list[Quote]) -> int:
    if not quotes:
        return 0
    stored = ingest.ingest_quotes(quotes=quotes, source=PROVIDER)
    caches["shared"].set(_LAST_STORED_KEY, datetime.now(UTC), 7 * 86400)
    return stored


def last_stored() -> datetime | None:
    """When stream_prices (any process) last stored prices, for readiness."""
    return caches["shared"].get(_LAST_STORED_KEY)


@dataclass
class Progress:
    messages: int = 0
    rejected: int = 0
    stored: int = 0
    coins: set = field(default_factory=set)
    connections: int = 0


def backoff_s(attempt: int) -> float:
    """1, 2, 4 … 60 seconds, with jitter so many streamers do not reconnect in step."""
    return min(60.0, 2.0 ** max(attempt - 1, 0)) * random.uniform(0.75, 1.25)


async def run(
    *, stop: asyncio.Event, max_messages: int | None = None, progress: Progress | None = None, log=logger.info
) -> Progress:
    """Stream until ``stop`` is set or ``max_messages`` messages were handled."""
    progress = progress or Progress()
    throttle = Throttle(settings.STREAM_STORE_INTERVAL_S)
    pairs, pairs_read = await sync_to_async(binance_pairs)(), time.monotonic()
    attempt = 0
    while not stop.is_set():
        try:
            async with websockets.connect(stream_url(), open_timeout=settings.PROVIDER_TIMEOUT_S, max_size=2**24) as ws:
                progress.connections += 1
                attempt = 0
                log(f"connected to {stream_url()}")
                while not stop.is_set():
                    body = await _next_message(ws, stop)
                    if body is None:
                        break
                    progress.messages += 1
                    if time.monotonic() - pairs_read > _PAIRS_REFRESH_S:
                        pairs, pairs_read = await sync_to_async(binance_pairs)(), time.monotonic()
                    await _handle(body, pairs=pairs, throttle=throttle, progress=progress)
                    if max_messages is not None and progress.messages >= max_messages:
                        stop.set()
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            attempt += 1
            wait = backoff_s(attempt)
            log(f"stream lost ({exc.__class__.__name__}: {str(exc)[:120]}); reconnecting in {wait:.1f} s")
            if not isinstance(exc, websockets.ConnectionClosedOK):  # Binance ends every stream after 24 h
                await sync_to_async(stats.record_error)(PROVIDER, STREAM_PATH, str(exc), invalid_payload=False)
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass
    return progress


async def _next_message(ws, stop: asyncio.Event):
    """The next message, or None when asked to stop first."""
    receiving = asyncio.ensure_future(ws.recv())
    stopping = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if receiving in done:
        stopping.cancel()
        return receiving.result()
    receiving.cancel()
    return None


async def _handle(body, *, pairs, throttle: Throttle, progress: Progress) -> None:
    try:
        quotes = parse_tickers(body, pairs=pairs)
    except InvalidPayload as exc:
        progress.rejected += 1
        await sync_to_async(stats.record_error)(PROVIDER, STREAM_PATH, str(exc), invalid_payload=True)
        return
    due = throttle.due(quotes)
    if not due:
        return
    try:
        progress.stored += await sync_to_async(store)(due)
    except InvalidRecord as exc:  # e.g. an event time from the future: the message is refused whole
        progress.rejected += 1
        await sync_to_async(stats.record_error)(PROVIDER, STREAM_PATH, str(exc), invalid_payload=True)
        return
    progress.coins.update(q.coin_id for q in due)

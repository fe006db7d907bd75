"""Binance's all-market mini-ticker stream, as typed quotes.

``<BINANCE_WS_URL>/ws/!miniTicker@arr`` pushes, about once a second, an array of the
tickers that changed: ``{"e": "24hrMiniTicker", "E": <ms>, "s": "BTCUSDT", "c": close,
"o": open 24 h ago, "h", "l", "v": base volume, "q": quote volume}``, numbers as strings.
USDT pairs stand in for USD, as in the REST client.

This module knows the wire format, the connection and its failures (recorded in the
provider stats and breaker like any REST call); which pairs matter and what happens to
the quotes is the caller's.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from decimal import Decimal

import websockets
from asgiref.sync import sync_to_async
from django.conf import settings

from providers import breaker, budget, stats
from providers.payload import Checker, decode_json
from providers.records import Quote

logger = logging.getLogger(__name__)

PROVIDER = "binance"
STREAM_PATH = "/ws/!miniTicker@arr"
_PCT = Decimal("0.00000001")

Pairs = dict[str, tuple[str, str]]  # pair ("BTCUSDT") -> (coin id, symbol)


def stream_url() -> str:
    return settings.BINANCE_WS_URL.rstrip("/") + STREAM_PATH


def parse_tickers(body: bytes | str, *, pairs: Pairs) -> list[Quote]:
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


def backoff_s(attempt: int) -> float:
    """1, 2, 4 … 60 seconds, with jitter so many streamers do not reconnect in step."""
    return min(60.0, 2.0 ** max(attempt - 1, 0)) * random.uniform(0.75, 1.25)


async def listen(
    *,
    stop: asyncio.Event,
    on_message: Callable[[bytes | str], Awaitable[None]],
    on_connect: Callable[[], None] = lambda: None,
    log: Callable[[str], None] = logger.info,
) -> None:
    """Hand every message to ``on_message`` until ``stop`` is set, reconnecting with backoff."""
    attempt = 0
    while not stop.is_set():
        block = await sync_to_async(budget.blocked)(PROVIDER)
        if block:
            # Refused from this address (451/403): REST prices fail over meanwhile.
            log(f"stream not opened: {block['reason']}; next try in {block['retry_in_s']} s")
            try:
                await asyncio.wait_for(stop.wait(), timeout=max(block["retry_in_s"], 1))
            except TimeoutError:
                pass
            continue
        try:
            async with websockets.connect(stream_url(), open_timeout=settings.PROVIDER_TIMEOUT_S, max_size=2**24) as ws:
                attempt = 0
                on_connect()
                await sync_to_async(breaker.record_success)(PROVIDER)
                log(f"connected to {stream_url()}")
                while not stop.is_set():
                    body = await _next_message(ws, stop)
                    if body is None:
                        break
                    await on_message(body)
        except (OSError, TimeoutError, websockets.WebSocketException) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in (451, 403):
                reason = f"HTTP {status} on the stream handshake: refused from this address"
                await sync_to_async(budget.block)(PROVIDER, reason, settings.PROVIDER_BLOCKED_BACKOFF_S)
                log(f"stream blocked here ({reason})")
                continue
            attempt += 1
            wait = backoff_s(attempt)
            log(f"stream lost ({exc.__class__.__name__}: {str(exc)[:120]}); reconnecting in {wait:.1f} s")
            if not isinstance(exc, websockets.ConnectionClosedOK):  # Binance ends every stream after 24 h
                await sync_to_async(stats.record_error)(PROVIDER, STREAM_PATH, str(exc), invalid_payload=False)
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass


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


async def record_rejected(reason: str) -> None:
    await sync_to_async(stats.record_error)(PROVIDER, STREAM_PATH, reason, invalid_payload=True)

"""Binance's real-time tickers into the price feed (``stream_prices``).

The provider layer (providers.binance_stream) turns the stream into quotes; here each
coin is stored through the markets ingest service (which announces the prices, and so
broadcasts them) at most once per STREAM_STORE_INTERVAL_S. The steps are small
functions the tests call directly; ``run`` strings them together.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches

from markets.selectors import exchange_pairs
from markets.services import ingest
from providers import binance_stream
from providers.binance_stream import PROVIDER, parse_tickers, stream_url
from providers.errors import InvalidPayload
from providers.records import Quote
from providers.validation import InvalidRecord

__all__ = ["Progress", "Throttle", "binance_pairs", "last_stored", "parse_tickers", "run", "store", "stream_url"]

logger = logging.getLogger(__name__)

_PAIRS_REFRESH_S = 600
_LAST_STORED_KEY = "streaming:last-stored"


def binance_pairs() -> dict[str, tuple[str, str]]:
    return exchange_pairs(PROVIDER)


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


async def run(
    *, stop: asyncio.Event, max_messages: int | None = None, progress: Progress | None = None, log=logger.info
) -> Progress:
    """Stream until ``stop`` is set or ``max_messages`` messages were handled."""
    progress = progress or Progress()
    throttle = Throttle(settings.STREAM_STORE_INTERVAL_S)
    pairs = {"map": await sync_to_async(binance_pairs)(), "read": time.monotonic()}

    def connected() -> None:
        progress.connections += 1

    async def on_message(body) -> None:
        progress.messages += 1
        if time.monotonic() - pairs["read"] > _PAIRS_REFRESH_S:
            pairs["map"], pairs["read"] = await sync_to_async(binance_pairs)(), time.monotonic()
        await _handle(body, pairs=pairs["map"], throttle=throttle, progress=progress)
        if max_messages is not None and progress.messages >= max_messages:
            stop.set()

    await binance_stream.listen(stop=stop, on_message=on_message, on_connect=connected, log=log)
    return progress


async def _handle(body, *, pairs, throttle: Throttle, progress: Progress) -> None:
    try:
        quotes = parse_tickers(body, pairs=pairs)
    except InvalidPayload as exc:
        progress.rejected += 1
        await binance_stream.record_rejected(str(exc))
        return
    due = throttle.due(quotes)
    if not due:
        return
    try:
        progress.stored += await sync_to_async(store)(due)
    except InvalidRecord as exc:  # e.g. an event time from the future: the message is refused whole
        progress.rejected += 1
        await binance_stream.record_rejected(str(exc))
        return
    progress.coins.update(q.coin_id for q in due)

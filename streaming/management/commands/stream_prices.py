import asyncio
import signal

from asgiref.sync import sync_to_async
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from providers.binance_stream import QuietLog
from streaming import exchange

PAIRS_POLL_S = 30.0


class Command(BaseCommand):
    help = (
        "Stream Binance's all-market mini tickers (BINANCE_WS_URL) into the price feed: each coin "
        "with a Binance pair is stored, and so broadcast, at most every STREAM_STORE_INTERVAL_S. "
        "Reconnects with backoff; while no coin has a Binance pair yet (a fresh install) it waits, "
        "saying so once and then every few minutes. Stops on SIGINT/SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=None, help="stop after this long")
        parser.add_argument("--max-messages", type=int, default=None, help="stop after this many messages")

    def handle(self, *args, max_seconds=None, max_messages=None, **options):
        for name, value in (("--max-seconds", max_seconds), ("--max-messages", max_messages)):
            if value is not None and value <= 0:
                raise CommandError(f"stream_prices: {name} must be positive")
        progress = exchange.Progress()
        self.stopped_waiting = False
        asyncio.run(self._stream(progress, max_seconds=max_seconds, max_messages=max_messages))
        summary = (
            f"stream_prices: stored {progress.stored} prices of {len(progress.coins)} coins "
            f"from {progress.messages} messages ({progress.rejected} rejected)"
        )
        if self.stopped_waiting:
            self.stdout.write("stream_prices: stopped while waiting for a coin with a Binance pair")
            return
        if progress.connections == 0:
            raise CommandError(f"stream_prices: could not connect to {exchange.stream_url()}")
        self.stdout.write(summary)

    async def _stream(self, progress, *, max_seconds, max_messages) -> None:
        try:
            if not await sync_to_async(exchange.binance_pairs)():
                if max_seconds is not None:  # a bounded run has nothing to wait for
                    raise CommandError(
                        "stream_prices: no coin has a Binance pair yet; run collect_markets --registry first"
                    )
                if not await self._wait_for_pairs():
                    self.stopped_waiting = True
                    return
            await self._until_stopped(progress, max_seconds=max_seconds, max_messages=max_messages)
        finally:
            # The database work ran in asgiref's worker thread; its connections end with us.
            await sync_to_async(connections.close_all)()

    async def _wait_for_pairs(self) -> bool:
        """Until the registry knows a Binance pair (True) or a signal arrives (False)."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        say = QuietLog(self._log)
        try:
            while not stop.is_set():
                if await sync_to_async(exchange.binance_pairs)():
                    self._log("a coin has a Binance pair now; connecting")
                    return True
                say(
                    "waiting: no coin has a Binance pair yet (the coin registry's exchange pairs come with "
                    "the first collection, refresh_registry); looking again every 30 s"
                )
                try:
                    await asyncio.wait_for(stop.wait(), timeout=PAIRS_POLL_S)
                except TimeoutError:
                    pass
            return False
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def _until_stopped(self, progress, *, max_seconds, max_messages) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if max_seconds is not None:
            loop.call_later(max_seconds, stop.set)
        try:
            await exchange.run(stop=stop, max_messages=max_messages, progress=progress, log=self._log)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _log(self, line: str) -> None:
        self.stderr.write(f"stream_prices: {line}")

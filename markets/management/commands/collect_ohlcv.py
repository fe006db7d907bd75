from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cryptodt.management.steps import report
from markets import selectors
from markets.models import INTERVALS
from markets.selectors import resolve_symbols
from markets.services import collect


class Command(BaseCommand):
    help = "Store candles for the most-watched coins (top OHLCV_COINS) or the given symbols."

    def add_arguments(self, parser):
        parser.add_argument("--symbols", help="comma-separated, e.g. BTC,ETH")
        parser.add_argument("--intervals", help=f"comma-separated of {' '.join(INTERVALS)}")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, symbols=None, intervals=None, limit=200, **options):
        wanted = [i.strip() for i in (intervals or ",".join(settings.OHLCV_INTERVALS)).split(",") if i.strip()]
        unknown = [i for i in wanted if i not in INTERVALS]
        if unknown:
            raise CommandError(f"unknown interval {unknown[0]!r}; use {', '.join(INTERVALS)}")
        coins = None
        if symbols:
            try:
                coins = resolve_symbols(symbols=[s.strip() for s in symbols.split(",") if s.strip()])
            except Exception as exc:  # NotFoundError: one line, not a traceback
                raise CommandError(str(exc))
        elif not selectors.tracked_coins():
            raise CommandError("no tracked coins yet; run collect_markets first")
        report(self, collect.collect_ohlcv(coins=coins, intervals=wanted, limit=limit), what="collect_ohlcv")

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cryptodt.management.steps import report
from markets import selectors
from markets.selectors import resolve_symbols
from markets.services import collect


class Command(BaseCommand):
    help = (
        "Fill missing history, fetching only the hours not stored (resumable): up to 90 days, or up to "
        "HISTORY_RETENTION_DAYS when that is longer; beyond CoinGecko's free year, exchanges' daily "
        "candles carry on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--symbols", help="comma-separated; default: every tracked coin")

    def handle(self, *args, days=90, symbols=None, **options):
        longest = max(90, settings.HISTORY_RETENTION_DAYS)
        if not 1 <= days <= longest:
            raise CommandError(f"--days must be between 1 and {longest} (HISTORY_RETENTION_DAYS bounds it)")
        if symbols:
            try:
                coins = resolve_symbols(symbols=[s.strip() for s in symbols.split(",") if s.strip()])
            except Exception as exc:  # NotFoundError: one line, not a traceback
                raise CommandError(str(exc))
        else:
            coins = selectors.tracked_coins()
            if not coins:
                raise CommandError("no tracked coins yet; run collect_markets first")
        report(self, collect.backfill(coins=coins, days=days), what="backfill_history")

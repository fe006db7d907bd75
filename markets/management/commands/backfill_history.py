from django.core.management.base import BaseCommand, CommandError

from cryptodt.management.steps import report
from markets.selectors import resolve_symbols
from markets.services import collect, registry


class Command(BaseCommand):
    help = "Fill up to 90 days of hourly history, fetching only the hours not stored (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--symbols", help="comma-separated; default: every tracked coin")

    def handle(self, *args, days=90, symbols=None, **options):
        if not 1 <= days <= 90:
            raise CommandError("--days must be between 1 and 90")
        if symbols:
            try:
                coins = resolve_symbols(symbols=[s.strip() for s in symbols.split(",") if s.strip()])
            except Exception as exc:  # NotFoundError: one line, not a traceback
                raise CommandError(str(exc))
        else:
            coins = registry.tracked_coins()
            if not coins:
                raise CommandError("no tracked coins yet; run collect_markets first")
        report(self, collect.backfill(coins=coins, days=days), what="backfill_history")

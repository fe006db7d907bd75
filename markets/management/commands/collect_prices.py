from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from markets import selectors
from markets.services import collect


class Command(BaseCommand):
    help = "Store a live price for every tracked coin (the top TRACKED_COINS)."

    def handle(self, *args, **options):
        if not selectors.tracked_coins(limit=1):
            # Nothing tracked yet: the ranked listing both tracks and prices the top coins.
            report(self, [collect.collect_markets()], what="collect_prices")
            return
        report(self, [collect.collect_prices()], what="collect_prices")

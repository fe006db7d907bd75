from django.core.management.base import BaseCommand

from markets.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "Store a live price for every tracked coin (the top TRACKED_COINS)."

    def handle(self, *args, **options):
        results = [collect.collect_prices()]
        if results[0].ok and results[0].stored == 0 and results[0].provider is None:
            # No tracked coins yet: the ranked listing both tracks and prices them.
            results.append(collect.collect_markets())
        report(self, results, what="collect_prices")

from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "Store the ranked market listing (top TRACKED_COINS), global stats and trending coins."

    def add_arguments(self, parser):
        parser.add_argument("--registry", action="store_true", help="also refresh the full coin list and pairs")

    def handle(self, *args, registry=False, **options):
        results = [collect.refresh_registry()] if registry else []
        results += [collect.collect_markets(), collect.collect_global(), collect.collect_trending()]
        report(self, results, what="collect_markets")

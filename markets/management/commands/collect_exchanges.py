from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "Store CoinGecko's spot exchange directory (every page of /exchanges, a minute apart)."

    def handle(self, *args, **options):
        report(self, [collect.collect_exchanges()], what="collect_exchanges")

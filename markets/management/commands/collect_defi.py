from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "Store DeFi protocols (with today's TVL point) and TVL per chain."

    def handle(self, *args, **options):
        report(self, collect.collect_defi(), what="collect_defi")

from django.core.management.base import BaseCommand

from markets.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "One collection cycle: top TRACKED_COINS prices, global stats, trending, hourly roll-up."

    def handle(self, *args, **options):
        report(self, collect.collect_all(), what="collect_all")

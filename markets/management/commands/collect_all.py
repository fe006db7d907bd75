from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from markets.services import collect


class Command(BaseCommand):
    help = "One collection cycle: top TRACKED_COINS (ranked listing and prices), global stats, trending, roll-up."

    def add_arguments(self, parser):
        parser.add_argument(
            "--due-only",
            action="store_true",
            help="as the schedule runs it: listing, global and trending only when the provider plan says they are due",
        )

    def handle(self, *args, due_only=False, **options):
        report(self, collect.collect_all(due_only=due_only), what="collect_all")

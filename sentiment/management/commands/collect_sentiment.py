from django.core.management.base import BaseCommand

from cryptodt.management.steps import report
from sentiment.news import collect_news
from sentiment.services import collect_fear_greed


class Command(BaseCommand):
    help = "Store the fear & greed index and the latest news (scored and tagged with coins)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2, help="fear & greed values to fetch (≤ 365)")

    def handle(self, *args, days=2, **options):
        results = [collect_fear_greed(limit=max(1, min(days, 365))), collect_news()]
        report(self, results, what="collect_sentiment")

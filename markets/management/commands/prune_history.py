from django.core.management.base import BaseCommand

from markets.services.rollup import prune, rollup_hours


class Command(BaseCommand):
    help = "Roll up, then delete raw snapshots past RAW_RETENTION_DAYS and hourly bars past HISTORY_RETENTION_DAYS."

    def handle(self, *args, **options):
        rolled = rollup_hours()
        result = prune()
        self.stdout.write(f"rollup: stored {rolled} hourly bars")
        self.stdout.write(
            f"prune: deleted {result.raw_rows} raw rows ({len(result.raw_days)} days), "
            f"{result.hourly_rows} hourly bars, {result.other_rows} other rows"
        )
        for path in result.archived:
            self.stdout.write(f"archived: {path}")
        if result.skipped_days:
            self.stderr.write(f"kept (not rolled up yet): {', '.join(result.skipped_days)}")

from django.core.management.base import BaseCommand

from cryptodt import schedules


class Command(BaseCommand):
    help = "Create or update every periodic django-q2 schedule (idempotent)."

    def handle(self, *args, **options):
        written, removed = schedules.apply()
        for job, created in written:
            name = schedules.PREFIX + job.name
            self.stdout.write(f"schedule {name}: every {job.minutes} min ({'created' if created else 'updated'})")
        if removed:
            self.stdout.write(f"removed {removed} schedules no longer planned")

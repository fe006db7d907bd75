from django.core.management.base import BaseCommand

from cryptodt import schedules


class Command(BaseCommand):
    help = "Create or update every periodic django-q2 schedule (idempotent)."

    def handle(self, *args, **options):
        fresh = schedules.needs_bootstrap()
        written, removed = schedules.apply(first_run_later=fresh)
        for job, created in written:
            name = schedules.PREFIX + job.name
            self.stdout.write(f"schedule {name}: every {job.minutes} min ({'created' if created else 'updated'})")
        if removed:
            self.stdout.write(f"removed {removed} schedules no longer planned")
        if fresh and schedules.start_bootstrap():
            self.stdout.write("empty database: the first collection runs now, in the background")
        for func in schedules.queue_start_tasks():
            self.stdout.write(f"queued start-up task {func} (runs in the background)")

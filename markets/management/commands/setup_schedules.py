from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_q.models import Schedule

PREFIX = "cryptodt:"


@dataclass(frozen=True)
class Planned:
    name: str
    func: str
    minutes: int


def planned() -> list[Planned]:
    """Every periodic job of the service, in one place."""
    every = max(1, settings.COLLECT_INTERVAL_S // 60)
    return [
        Planned("collect_all", "markets.tasks.collect_all", every),
        Planned("collect_ohlcv", "markets.tasks.collect_ohlcv", 30),
        Planned("collect_defi", "markets.tasks.collect_defi", max(1, settings.DEFI_INTERVAL_S // 60)),
        Planned("collect_sentiment", "markets.tasks.collect_sentiment", max(1, settings.SENTIMENT_INTERVAL_S // 60)),
        Planned("refresh_registry", "markets.tasks.refresh_registry", 24 * 60),
        Planned("prune_history", "markets.tasks.prune_history", 24 * 60),
        Planned("backup_db", "markets.tasks.backup_db", 24 * 60),
    ]


class Command(BaseCommand):
    help = "Create or update every periodic django-q2 schedule (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            names = []
            for job in planned():
                name = PREFIX + job.name
                names.append(name)
                _, created = Schedule.objects.update_or_create(
                    name=name,
                    defaults={
                        "func": job.func,
                        "schedule_type": Schedule.MINUTES,
                        "minutes": job.minutes,
                        "repeats": -1,
                    },
                )
                self.stdout.write(f"schedule {name}: every {job.minutes} min ({'created' if created else 'updated'})")
            removed, _ = Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=names).delete()
        if removed:
            self.stdout.write(f"removed {removed} schedules no longer planned")

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_q.models import Schedule

from markets.services import collect

PREFIX = "cryptodt:"


@dataclass(frozen=True)
class Planned:
    name: str
    func: str
    minutes: int


def planned() -> list[Planned]:
    """Every periodic job of the service, in one place. Cadences that spend provider budgets
    come from the provider layer's plan (markets.providers.plan), so no free tier is exceeded."""

    def every(task: str) -> int:
        return max(1, collect.plan_interval(task) // 60)

    return [
        # Each cycle: live prices; the ranked listing, global and trending when the plan says they are due.
        Planned("collect_all", "markets.tasks.collect_all", max(1, settings.COLLECT_INTERVAL_S // 60)),
        Planned("collect_ohlcv", "markets.tasks.collect_ohlcv", every("ohlcv")),
        Planned("collect_defi", "markets.tasks.collect_defi", every("defi")),
        Planned("collect_sentiment", "markets.tasks.collect_sentiment", min(every("fear_greed"), every("news"))),
        Planned("refresh_registry", "markets.tasks.refresh_registry", every("coin_list")),
        Planned("prune_history", "markets.tasks.prune_history", 24 * 60),
        Planned("backup_db", "markets.tasks.backup_db", 24 * 60),
        # The audit log has its own retention (AUDIT_RETENTION_DAYS).
        Planned("prune_audit", "accounts.tasks.prune_audit", 24 * 60),
        # Alert webhooks whose task was lost (a crash, the broker down) or whose retry is due.
        Planned("sweep_alert_deliveries", "alerts.tasks.sweep_deliveries", 1),
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

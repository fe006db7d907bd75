"""Every periodic job of the service, gathered from the apps that own them.

Each app registers a function returning its jobs in its ``AppConfig.ready`` (cadences are
read when the schedules are set up, so they follow the settings and the provider plan of
that moment); ``manage.py setup_schedules`` writes them all idempotently.
"""

from collections.abc import Callable
from dataclasses import dataclass

PREFIX = "cryptodt:"


@dataclass(frozen=True)
class Planned:
    name: str
    func: str
    minutes: int


_sources: dict[str, Callable[[], list[Planned]]] = {}


def register(owner: str, jobs: Callable[[], list[Planned]]) -> None:
    _sources[owner] = jobs


def planned() -> list[Planned]:
    return [job for jobs in _sources.values() for job in jobs()]


def apply() -> tuple[list[tuple[Planned, bool]], int]:
    """Create or update every planned schedule and delete ours that are no longer planned.

    Returns each job with whether it was created, and how many stale schedules went.
    """
    from django.db import transaction
    from django_q.models import Schedule

    written = []
    with transaction.atomic():
        jobs = planned()
        for job in jobs:
            _, created = Schedule.objects.update_or_create(
                name=PREFIX + job.name,
                defaults={"func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.minutes, "repeats": -1},
            )
            written.append((job, created))
        names = [PREFIX + job.name for job in jobs]
        removed, _ = Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return written, removed

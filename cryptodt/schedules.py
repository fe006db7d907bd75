"""Every periodic job of the service, gathered from the apps that own them.

Each app registers a function returning its jobs in its ``AppConfig.ready`` (cadences are
read when the schedules are set up, so they follow the settings and the provider plan of
that moment); ``manage.py setup_schedules`` writes them all idempotently.

Apps may also register start-up work (``register_start``): tasks queued once by every
``setup_schedules`` (so at every start) when the app says they are needed, e.g. the first
download of the sentiment model, run by the cluster in the background.
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


_start_sources: dict[str, Callable[[], list[str]]] = {}


def register_start(owner: str, tasks: Callable[[], list[str]]) -> None:
    """``tasks()`` returns the dotted task functions to queue now (empty when nothing is due)."""
    _start_sources[owner] = tasks


def queue_start_tasks() -> list[str]:
    from django_q.tasks import async_task

    queued = []
    for owner, tasks in _start_sources.items():
        for func in tasks():
            async_task(func, task_name=f"{PREFIX}start:{owner}:{func.rsplit('.', 1)[-1]}")
            queued.append(func)
    return queued


def planned() -> list[Planned]:
    return [job for jobs in _sources.values() for job in jobs()]


def apply(*, first_run_later: bool = False) -> tuple[list[tuple[Planned, bool]], int]:
    """Create or update every planned schedule and delete ours that are no longer planned.

    With ``first_run_later`` (the first collection runs them all now) a new schedule first
    runs one interval from now. Returns each job with whether it was created, and how many
    stale schedules went.
    """
    from datetime import timedelta

    from django.db import transaction
    from django.utils.timezone import now
    from django_q.models import Schedule

    written = []
    with transaction.atomic():
        jobs = planned()
        for job in jobs:
            _, created = Schedule.objects.update_or_create(
                name=PREFIX + job.name,
                defaults={"func": job.func, "schedule_type": Schedule.MINUTES, "minutes": job.minutes, "repeats": -1},
            )
            if created and first_run_later:
                Schedule.objects.filter(name=PREFIX + job.name).update(next_run=now() + timedelta(minutes=job.minutes))
            written.append((job, created))
        names = [PREFIX + job.name for job in jobs]
        removed, _ = Schedule.objects.filter(name__startswith=PREFIX).exclude(name__in=names).delete()
    return written, removed


# --- First start and retries ------------------------------------------------------------
# On an empty database the first start runs every collection once, in dependency order
# (``bootstrap``), instead of waiting for each job's interval; a job that fails is tried
# again 1, 2, 4 … minutes later (capped at its interval) rather than a whole interval later.

_bootstrap_sources: dict[str, Callable[[], list[tuple[int, str]]]] = {}
_empty_probes: list[Callable[[], bool]] = []
BOOTSTRAP_KEY = "cryptodt:bootstrap:since"


def register_bootstrap(
    owner: str, steps: Callable[[], list[tuple[int, str]]], *, empty: Callable[[], bool] | None = None
):
    """``steps()`` returns (order, dotted task) pairs; ``empty()`` says the app has no data yet."""
    _bootstrap_sources[owner] = steps
    if empty is not None:
        _empty_probes.append(empty)


def bootstrap_steps() -> list[str]:
    steps = sorted(step for source in _bootstrap_sources.values() for step in source())
    return [func for _, func in steps]


def needs_bootstrap() -> bool:
    return any(probe() for probe in _empty_probes)


def bootstrap_since() -> str | None:
    """When the first collection started, while it is still running (empty-state answers)."""
    from django.core.cache import caches

    return caches["shared"].get(BOOTSTRAP_KEY)


def bootstrap() -> str:
    """The first collection: every step once, in order, whatever the previous one did."""
    import logging

    from django.core.cache import caches
    from django.utils.module_loading import import_string

    logger = logging.getLogger("cryptodt.bootstrap")
    lines = []
    try:
        for func in bootstrap_steps():
            logger.info("first collection: %s", func)
            try:
                lines.append(f"{func}: {import_string(func)()}")
            except Exception as exc:  # one step's crash must not stop the others
                logger.exception("first collection: %s crashed", func)
                lines.append(f"{func}: crashed ({exc.__class__.__name__})")
    finally:
        caches["shared"].delete(BOOTSTRAP_KEY)
    logger.info("first collection done")
    return "\n".join(lines)


def start_bootstrap() -> bool:
    """Queue the first collection when the database is empty; True when queued."""
    from django.core.cache import caches
    from django.utils.timezone import now
    from django_q.tasks import async_task

    from cryptodt.times import iso

    if not needs_bootstrap():
        return False
    caches["shared"].set(BOOTSTRAP_KEY, iso(now()), 3600)
    async_task("cryptodt.schedules.bootstrap", task_name=f"{PREFIX}bootstrap")
    return True


def retry_delay_minutes(failures: int, interval_minutes: int) -> int:
    return max(1, min(2 ** max(0, failures - 1), interval_minutes))


def settle(name: str, *, failed: bool) -> int | None:
    """After a run of job ``name``: on failure bring its next run forward to the backoff
    delay (minutes, returned); on success forget the failures."""
    from datetime import timedelta

    from django.core.cache import caches
    from django.utils.timezone import now
    from django_q.models import Schedule

    cache, key = caches["shared"], f"cryptodt:failures:{name}"
    if not failed:
        cache.delete(key)
        return None
    failures = (cache.get(key) or 0) + 1
    cache.set(key, failures, 7 * 24 * 3600)
    schedule = Schedule.objects.filter(name=PREFIX + name).first()
    if schedule is None:
        return None
    delay = retry_delay_minutes(failures, schedule.minutes or 1)
    # The scheduler saves next_run (under a row lock) before this task can finish, so this wins.
    Schedule.objects.filter(pk=schedule.pk).update(next_run=now() + timedelta(minutes=delay))
    return delay

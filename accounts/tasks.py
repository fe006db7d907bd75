"""django-q2 task entry points for accounts (scheduled by setup_schedules)."""

from django.conf import settings

from accounts.services import audit_prune


def prune_audit() -> str:
    return f"deleted {audit_prune()} audit entries older than {settings.AUDIT_RETENTION_DAYS} days"

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import audit, services


class Command(BaseCommand):
    help = "Delete audit log entries older than AUDIT_RETENTION_DAYS."

    def handle(self, *args, **options):
        audit.flush()
        deleted = services.audit_prune()
        self.stdout.write(f"deleted {deleted} audit entries older than {settings.AUDIT_RETENTION_DAYS} days")

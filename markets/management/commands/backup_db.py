from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from markets.services.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent copy of the database (safe while the service writes); keeps the last BACKUP_KEEP."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write instead of BACKUP_DIR/cryptodt-<time>")

    def handle(self, *args, output=None, **options):
        try:
            path = backup(output=Path(output) if output else None)
        except (BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}")
        self.stdout.write(f"backup: wrote {path} ({path.stat().st_size} bytes)")

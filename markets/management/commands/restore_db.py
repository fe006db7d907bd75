from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from markets.services.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database's content with a backup written by backup_db."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            safety = restore(source=Path(path))
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore failed: {exc}")
        self.stdout.write(f"restore: database restored from {path} (the previous content is in {safety})")

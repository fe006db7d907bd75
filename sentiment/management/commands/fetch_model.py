from django.core.management.base import BaseCommand, CommandError

from sentiment import model_store


class Command(BaseCommand):
    help = (
        "Download SENTIMENT_MODEL (a Hugging Face hub id) into SENTIMENT_MODEL_DIR now, unless it is "
        "already there. Nothing to do for SENTIMENT_MODEL=lexicon or a local directory; refused "
        "with HF_HUB_OFFLINE=1."
    )

    def add_arguments(self, parser):
        parser.add_argument("model", nargs="?", help="a hub id (default: SENTIMENT_MODEL)")

    def handle(self, *args, model=None, **options):
        source = model or model_store.configured()
        try:
            path = model_store.fetch(source)
        except model_store.Refused as refused:
            if model_store.offline():
                raise CommandError(f"{source}: {refused}") from None
            self.stdout.write(f"{source}: {refused}")
            return
        except Exception as exc:
            raise CommandError(f"{source}: download failed: {exc}") from exc
        self.stdout.write(f"{source}: ready in {path}")

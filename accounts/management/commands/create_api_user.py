"""Create (or reuse) a user, set their tier and print a new API key once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import ACCOUNT_TIERS
from cryptodt.api.errors import ApiError


class Command(BaseCommand):
    help = "Create an API user with a tier and print a new API key (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--tier", default="free", choices=[t.value for t in ACCOUNT_TIERS])
        parser.add_argument("--key-name", default="default", help="name of the key to issue")
        parser.add_argument(
            "--existing", action="store_true", help="allow an existing user: set the tier and issue another key"
        )

    def handle(self, *args, username, tier, key_name, existing, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("username must not be empty")
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username)
            if not created and not existing:
                raise CommandError(f"user {username!r} already exists (pass --existing to issue another key)")
            if created:
                # API users authenticate with keys; an operator sets a password in the
                # admin (checked by the password validators) if they also need JWTs.
                user.set_unusable_password()
                user.save(update_fields=["password"])
            try:
                services.tier_set(user=user, tier=tier)
                issued = services.api_key_issue(user=user, name=key_name)
            except ApiError as exc:
                raise CommandError(exc.message)
        self.stderr.write(f"{'created' if created else 'updated'} user {username!r}, tier {tier}")
        self.stdout.write(issued.key)

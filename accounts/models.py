"""Who may call the API and how much: tiers, API keys and the audit log.

Users stay django.contrib.auth's; a Profile carries the tier. A user without a
Profile row is on the default tier, so creating users (admin, createsuperuser)
needs nothing from this app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Tier(models.TextChoices):
    ANONYMOUS = "anonymous", "Anonymous"
    FREE = "free", "Free"
    PRO = "pro", "Pro"
    ENTERPRISE = "enterprise", "Enterprise"


# Tiers an account can hold; "anonymous" is what a request without credentials gets.
ACCOUNT_TIERS = [Tier.FREE, Tier.PRO, Tier.ENTERPRISE]


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    tier = models.CharField(
        max_length=16,
        choices=[(tier.value, tier.label) for tier in ACCOUNT_TIERS],
        default=Tier.FREE,
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.tier})"


class ApiKey(models.Model):
    """An API key; only its public prefix and a hash of the whole key are stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEntry(models.Model):
    """One authenticated API request.

    Holds the user's id and name rather than a foreign key: the log is a record of
    what happened and must outlive users and keys that are deleted later.
    """

    # Given by the process that recorded the request, so writing an entry twice (a replay
    # of its spool after a crash) stores it once (accounts.audit).
    entry_id = models.UUIDField(null=True, unique=True, editable=False)
    created = models.DateTimeField(db_index=True)
    user_id = models.BigIntegerField(null=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)
    key_prefix = models.CharField(max_length=16, blank=True, db_index=True)
    method = models.CharField(max_length=10)
    endpoint = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField()
    latency_ms = models.FloatField()

    class Meta:
        ordering = ["-created"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M:%S} {self.username} {self.method} {self.endpoint} {self.status}"

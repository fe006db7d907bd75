"""Writes: tiers, API keys, last-use marks and audit retention."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit, keys
from accounts.models import ACCOUNT_TIERS, ApiKey, AuditEntry, Profile
from cryptodt.api.errors import InvalidParameter, NotFoundError

logger = logging.getLogger(__name__)

# last_used is a "seen recently" mark, not a log (the audit log is); one write per key
# per interval keeps busy keys from turning every read into a write.
LAST_USED_WRITE_INTERVAL_S = 60


@dataclass(frozen=True)
class IssuedKey:
    """A freshly created key; ``key`` is the only time the whole secret exists in clear."""

    api_key: ApiKey
    key: str


def tier_set(*, user: AbstractBaseUser, tier: str) -> Profile:
    if tier not in {t.value for t in ACCOUNT_TIERS}:
        raise InvalidParameter("tier", f"Tier must be one of {', '.join(t.value for t in ACCOUNT_TIERS)}.")
    profile, _ = Profile.objects.update_or_create(user=user, defaults={"tier": tier})
    return profile


def api_key_issue(*, user: AbstractBaseUser, name: str, expires_at: datetime | None = None) -> IssuedKey:
    name = (name or "").strip()
    if not name:
        raise InvalidParameter("name", "A key needs a name.")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidParameter("expires_at", "expires_at must be in the future.")
    for attempt in range(3):
        prefix, whole = keys.generate()
        try:
            # 48 random bits of prefix: a clash is all but impossible, and retried if it happens.
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    user=user, name=name[:100], prefix=prefix, key_hash=keys.digest(whole), expires_at=expires_at
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    logger.info("API key %s issued to user %s", prefix, user.pk)
    return IssuedKey(api_key=api_key, key=whole)


def api_key_revoke(*, user: AbstractBaseUser | None, prefix: str) -> ApiKey:
    """Revoke one key; ``user=None`` lets an operator revoke anyone's key."""
    if not keys.is_prefix(prefix):
        # Also keeps bytes such as NUL, which PostgreSQL refuses in any query, away from the database.
        raise NotFoundError(f"No API key with prefix {prefix[:16]!r}.", code="unknown_key")
    with transaction.atomic():
        found = ApiKey.objects.select_for_update().filter(prefix=prefix)
        if user is not None:
            found = found.filter(user=user)
        api_key = found.first()
        if api_key is None:
            raise NotFoundError(f"No API key with prefix {prefix[:16]!r}.", code="unknown_key")
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
            logger.info("API key %s revoked", api_key.prefix)
    return api_key


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Schedules the key's last_used mark; accounts.audit's writer writes it, off the
    request. The caller (accounts.authentication.verified_api_key) asks once per
    LAST_USED_WRITE_INTERVAL_S per key and process."""
    audit.mark_key_used(key_id=api_key.pk, at=timezone.now())


def audit_prune(*, now: datetime | None = None) -> int:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEntry.objects.filter(created__lt=cutoff).delete()
    return deleted

"""Whatever decides authentication or tier changes, every process forgets what it
verified: the key itself (created, revoked, expiry changed, deleted), its user
(deactivated, deleted) or the user's profile (tier). Two caches: the shared one of key
rows (accounts.selectors.api_key_by_prefix) drops the rows, and the credentials version
(accounts.credentials) is bumped, so every process's verified keys are stale on their
next request. Both again after the commit: a request that read the old row while the
change was still uncommitted may have cached it again in between.

queryset.update() sends no signal: a path that changes these fields in bulk calls
``changed()`` itself (none does today; last_used, written with update(), decides nothing).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import credentials, selectors
from accounts.models import ApiKey, Profile

_IRRELEVANT_USER_FIELDS = frozenset({"last_login"})


def changed(prefixes: list[str]) -> None:
    """Credentials changed (``prefixes``: the keys whose cached rows go)."""
    _forget(prefixes)
    transaction.on_commit(lambda: _forget(prefixes))


def _forget(prefixes: list[str]) -> None:
    if prefixes:
        selectors.forget_api_keys(prefixes)
    credentials.bump()


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="accounts.forget_api_key")
def _api_key_changed(sender, instance, **kwargs) -> None:
    changed([instance.prefix])


@receiver([post_save, post_delete], sender=Profile, dispatch_uid="accounts.forget_profile_keys")
def _profile_changed(sender, instance, **kwargs) -> None:
    changed(list(ApiKey.objects.filter(user_id=instance.user_id).values_list("prefix", flat=True)))


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="accounts.forget_user_keys")
def _user_changed(sender, instance, **kwargs) -> None:
    # A new user has no keys yet; a login's last_login save decides nothing (and would
    # otherwise make every login empty every process's verified keys).
    update_fields = kwargs.get("update_fields")
    if kwargs.get("created") or (update_fields is not None and set(update_fields) <= _IRRELEVANT_USER_FIELDS):
        return
    changed(list(ApiKey.objects.filter(user_id=instance.pk).values_list("prefix", flat=True)))

"""The cached API-key lookup (accounts.selectors.api_key_by_prefix) is dropped whenever
what it holds changes: the key itself (revoked, expiry changed, deleted), its user
(deactivated, deleted) or the user's profile (tier). So a revoked key stops working on
the next request, in every process."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import selectors
from accounts.models import ApiKey, Profile


def _forget(prefixes: list[str]) -> None:
    selectors.forget_api_keys(prefixes)
    # Once more after the commit: a request that read the old row while the change was
    # still uncommitted may have cached it again in between.
    transaction.on_commit(lambda: selectors.forget_api_keys(prefixes))


@receiver([post_save, post_delete], sender=ApiKey, dispatch_uid="accounts.forget_api_key")
def _api_key_changed(sender, instance, **kwargs) -> None:
    _forget([instance.prefix])


@receiver([post_save, post_delete], sender=Profile, dispatch_uid="accounts.forget_profile_keys")
def _profile_changed(sender, instance, **kwargs) -> None:
    _forget(list(ApiKey.objects.filter(user_id=instance.user_id).values_list("prefix", flat=True)))


@receiver([post_save, post_delete], sender=get_user_model(), dispatch_uid="accounts.forget_user_keys")
def _user_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("created"):
        return
    _forget(list(ApiKey.objects.filter(user_id=instance.pk).values_list("prefix", flat=True)))

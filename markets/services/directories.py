"""Directories stored whole: every row of the provider's latest list, keyed by one unique
field, and none it no longer lists (coin categories, asset platforms, exchanges).

The caller validates the whole batch first, so a batch that fails validation never reaches
here and the stored directory stays as it was.
"""

from collections.abc import Mapping

from django.db import models, transaction

from cryptodt import data_cache as cache


def replace_directory(model: type[models.Model], *, rows: Mapping[str, models.Model], key_field: str) -> int:
    """Upserts ``rows`` (key → unsaved instance) on ``key_field``, every field but the
    primary key and the key updated, and deletes the rows whose key is not among them, in
    one transaction; then marks the market data changed."""
    update_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != key_field]
    with transaction.atomic():
        model.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=[key_field], update_fields=update_fields
        )
        model.objects.exclude(**{f"{key_field}__in": list(rows)}).delete()
    cache.bump("market")
    return len(rows)

"""Secrets the database must hold but never show: encrypted with a key derived from
SECRET_KEY (HKDF, one key per purpose), so no second secret has to be configured.

Rotating SECRET_KEY makes sealed values unreadable: a provider key then reads as unset
(the environment's key applies) and an alert's webhook secret as missing.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


@cache
def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"cryptodt {purpose}".encode()).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str, *, purpose: str) -> str:
    return _fernet(settings.SECRET_KEY, purpose).encrypt(text.encode()).decode()


def unseal(token: str, *, purpose: str) -> str | None:
    """The text, or None when the token was not sealed with this SECRET_KEY and purpose."""
    try:
        return _fernet(settings.SECRET_KEY, purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


class SealedTextField(models.TextField):
    """Plain text in Python, sealed in the database. A value written before the column was
    sealed reads as it is (the migration that introduced the field re-saves those rows)."""

    def __init__(self, *args, purpose: str, **kwargs):
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        opened = unseal(value, purpose=self.purpose)
        if opened is not None:
            return opened
        return "" if value.startswith("gAAAAA") else value  # sealed under another SECRET_KEY: unreadable

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return seal(value, purpose=self.purpose) if value else value

"""Per-rule webhook secrets: made here, shown once, stored encrypted, used to sign.

The encryption key is derived from SECRET_KEY with HKDF, so no second secret has to be
configured; rotating SECRET_KEY makes stored webhook secrets unreadable (those rules'
deliveries then fail as dead letters until the owner sets a new webhook).
"""

import base64
import hashlib
import hmac
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SIGNATURE_HEADER = "X-Cryptodt-Signature"
TIMESTAMP_HEADER = "X-Cryptodt-Timestamp"
FIRING_HEADER = "X-Cryptodt-Firing"


@cache
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"cryptodt alerts webhook secrets").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _fernet(settings.SECRET_KEY).encrypt(secret.encode()).decode()


def decrypt(token: str) -> str | None:
    try:
        return _fernet(settings.SECRET_KEY).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def signature(secret: str, body: bytes) -> str:
    """The X-Cryptodt-Signature value: HMAC-SHA256 of the raw body, ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

"""Per-rule webhook secrets: made here, shown once, stored encrypted, used to sign.

The encryption key is derived from SECRET_KEY with HKDF, so no second secret has to be
configured; rotating SECRET_KEY makes stored webhook secrets unreadable (those rules'
deliveries then fail as dead letters until the owner sets a new webhook).
"""

import hashlib
import hmac
import secrets

from cryptodt.sealed import seal, unseal

SIGNATURE_HEADER = "X-Cryptodt-Signature"
TIMESTAMP_HEADER = "X-Cryptodt-Timestamp"
FIRING_HEADER = "X-Cryptodt-Firing"


# The HKDF purpose of every stored webhook secret (changing it makes them unreadable).
PURPOSE = "alerts webhook secrets"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return seal(secret, purpose=PURPOSE)


def decrypt(token: str) -> str | None:
    return unseal(token, purpose=PURPOSE)


def signature(secret: str, body: bytes) -> str:
    """The X-Cryptodt-Signature value: HMAC-SHA256 of the raw body, ``sha256=<hex>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()

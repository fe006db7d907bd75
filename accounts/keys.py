"""The API key format: ``cdt_<prefix>_<secret>``.

The prefix is public (listed to the owner, shown in the admin and the audit log) and
finds the row; the secret is 256 random bits. Only sha256 of the whole key is stored.
A fast hash is the right tool here, unlike for passwords: with 256 bits of entropy
there is nothing to brute-force, so a slow KDF would only add latency to every
request. It is deliberately not keyed with SECRET_KEY, so rotating SECRET_KEY (which
does invalidate JWTs and sessions) leaves issued API keys working.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "cdt"
PREFIX_CHARS = 12  # hex
SECRET_BYTES = 32
# cdt_ + 12 + _ + 43 (urlsafe base64 of 32 bytes); anything much longer is not a key.
MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    whole: str


def generate() -> tuple[str, str]:
    """A new (prefix, whole key)."""
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    return prefix, f"{SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def digest(whole_key: str) -> str:
    return hashlib.sha256(whole_key.encode()).hexdigest()


def is_prefix(value: str) -> bool:
    return isinstance(value, str) and len(value) == PREFIX_CHARS and all(c in "0123456789abcdef" for c in value)


def parse(raw: str) -> ParsedKey | None:
    """The key's parts, or None when it cannot be a key of ours (never raises)."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_KEY_LENGTH or not raw.isascii():
        return None
    scheme, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != SCHEME or not is_prefix(prefix) or not secret:
        return None
    return ParsedKey(prefix=prefix, whole=raw)


def digests_match(presented_digest: str, stored_digest: str) -> bool:
    return hmac.compare_digest(presented_digest, stored_digest)

"""Credentials: ``Authorization: Bearer <jwt>`` and ``X-API-Key: <key>`` over HTTP,
``?token=`` / ``?api_key=`` for the WebSocket.

Whatever a header holds — empty, kilobytes long, bytes that are not text, a token
with ``alg: none`` or signed with another key — the answer is "no such credentials"
(401), never an exception that escapes as a 500.
"""

import functools
import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import AUTH_HEADER_TYPE_BYTES, JWTAuthentication
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from accounts import credentials, keys, selectors, services
from accounts.models import ApiKey, Tier

logger = logging.getLogger(__name__)

API_KEY_HEADER = "HTTP_X_API_KEY"
# Where CoinGecko's clients put a key; on /api/v3/ they carry a cryptodt key the same way.
COINGECKO_KEY_HEADERS = ("HTTP_X_CG_PRO_API_KEY", "HTTP_X_CG_DEMO_API_KEY")
COINGECKO_KEY_PARAMS = ("x_cg_pro_api_key", "x_cg_demo_api_key")
COINGECKO_PREFIX = "/api/v3/"
KEY_HEADERS = (API_KEY_HEADER, *COINGECKO_KEY_HEADERS)
# A JWT of ours is a few hundred bytes; refusing monsters early keeps decoding cheap.
MAX_TOKEN_LENGTH = 4096


def _invalid(message: str = "Invalid credentials.") -> exceptions.AuthenticationFailed:
    return exceptions.AuthenticationFailed(message)


class BearerJWTAuthentication(JWTAuthentication):
    """SimpleJWT's authenticator, hardened against hostile headers and with the
    user's profile fetched in the same query."""

    def get_header(self, request):
        header = request.META.get(jwt_settings.AUTH_HEADER_NAME)
        if header is None or isinstance(header, bytes):
            return header
        try:
            return header.encode("iso-8859-1")
        except UnicodeEncodeError:
            # A real server hands headers over as latin-1 text; anything else is not ours.
            raise _invalid("Malformed Authorization header.")

    def get_raw_token(self, header: bytes):
        raw = super().get_raw_token(header)
        if raw is not None and len(raw) > MAX_TOKEN_LENGTH:
            raise _invalid("Invalid or expired token.")
        return raw

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except Exception:  # SimpleJWT's InvalidToken, or a decoder choking on garbage: a bad token
            raise _invalid("Invalid or expired token.")

    def get_user(self, validated_token):
        # The token is ours (its signature checked), yet a claim of the wrong type must
        # still be a 401, not a 500 from the ORM.
        try:
            user_id = validated_token[jwt_settings.USER_ID_CLAIM]
            users = get_user_model().objects.select_related("profile")
            # The id field is unique: LIMIT 1 without .first()'s ORDER BY (cheaper to compile).
            user = next(iter(users.filter(**{jwt_settings.USER_ID_FIELD: user_id})[:1]), None)
        except (KeyError, TypeError, ValueError):
            user = None
        if user is None or not user.is_active:
            raise _invalid("Invalid or expired token.")
        return user


# "Read the credentials version now" (callers that fetched it in a batch pass it instead).
READ_VERSION = object()
# cached_identity's "this process cannot decide that key": ask where the database may be read.
UNDECIDED = object()


def verified_api_key(raw: str, *, version=READ_VERSION, database: bool = True) -> credentials.Verified | None:
    """The one check of an API key: Django's ApiKeyAuthentication, the WebSocket and
    cryptodt.fastpath all come here. AuthenticationFailed for a refused key; None only
    when ``database`` is False and this process has not verified the key at the current
    credentials version (accounts.credentials). Schedules the key's last_used mark.

    Whitespace around the key (a copy-paste's newline) is not part of it."""
    raw = raw.strip() if isinstance(raw, str) else raw
    if not isinstance(raw, str) or len(raw) > keys.MAX_KEY_LENGTH or not raw.isascii():
        raise _invalid("Invalid API key.")
    # The digest first: a hit is a key that parsed and matched its row before.
    digest = keys.digest(raw)
    if version is READ_VERSION:
        # Before the row is read: a change committed after this read bumps past it.
        version = credentials.version()
    entry = credentials.cached(digest, version)
    if entry is None:
        parsed = keys.parse(raw)
        if parsed is None:
            raise _invalid("Invalid API key.")
        if not database:
            return None
        entry = _verify_row(parsed.prefix, digest, version)
    elif entry.expired(time.time()):
        raise _invalid("This API key has expired.")
    now = time.monotonic()
    if now >= entry.next_mark:
        entry.next_mark = now + services.LAST_USED_WRITE_INTERVAL_S
        services.api_key_mark_used(api_key=entry.api_key)
    return entry


def _verify_row(prefix: str, digest: str, version: int | None) -> credentials.Verified:
    api_key = selectors.api_key_by_prefix(prefix=prefix)
    # Compare against a dummy digest when the prefix is unknown, so timing does not
    # tell which prefixes exist.
    stored = api_key.key_hash if api_key is not None else "0" * 64
    if not keys.digests_match(digest, stored) or api_key is None:
        raise _invalid("Invalid API key.")
    if api_key.revoked_at is not None:
        raise _invalid("This API key has been revoked.")
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        raise _invalid("This API key has expired.")
    if not api_key.user.is_active:
        raise _invalid("This account is disabled.")
    expires_at = api_key.expires_at.timestamp() if api_key.expires_at is not None else None
    return credentials.store(digest, api_key, version=version, expires_at=expires_at)


def user_from_api_key(raw: str) -> tuple[AbstractBaseUser, ApiKey]:
    """The key's owner and row (this request's own copies), or AuthenticationFailed."""
    return verified_api_key(raw).fresh()


def raw_api_key(meta: dict, *, path: str = "", params=None) -> str | None:
    """The one place a key is read from, whichever way it arrived.

    ``X-API-Key`` everywhere. On the CoinGecko surface (/api/v3/) also CoinGecko's own
    ``x-cg-pro-api-key`` / ``x-cg-demo-api-key`` headers and ``x_cg_pro_api_key`` /
    ``x_cg_demo_api_key`` query parameters, because unmodified CoinGecko clients send the
    key only there. Elsewhere the query string is never read: URLs end up in proxies' and
    browsers' logs.
    """
    coingecko = path.startswith(COINGECKO_PREFIX)
    for name in KEY_HEADERS if coingecko else (API_KEY_HEADER,):
        raw = meta.get(name)
        if raw is not None:
            return raw.strip() if isinstance(raw, str) else ""
    if coingecko and params is not None:
        for name in COINGECKO_KEY_PARAMS:
            raw = params.get(name)
            if raw is not None:
                return raw.strip()
    return None


def api_key_from_meta(meta: dict, *, path: str = "", params=None) -> tuple[AbstractBaseUser, ApiKey] | None:
    """The key's owner and key (this request's copies), None without a key, or
    AuthenticationFailed (ApiKeyAuthentication; cryptodt.fastpath comes to the same
    verified_api_key through cached_identity)."""
    raw = raw_api_key(meta, path=path, params=params)
    if raw is None:
        return None
    return user_from_api_key(raw)


def cached_identity(meta: dict, *, path: str = "", params=None, version=READ_VERSION, database: bool = False):
    """For cryptodt.fastpath, without a thread: the Identity of the request's Bearer JWT
    or key, None when it carries neither, or UNDECIDED: credentials refused (Django
    answers the 401) or not verified by this process at ``version`` (with ``database``
    False the database is never read, so this is safe on the event loop). The Identity's
    user and key are shared by every request with them: read them, never change them.

    An Authorization header is looked at first and alone, as Django's authenticators
    (BearerJWTAuthentication before ApiKeyAuthentication) do."""
    header = meta.get(jwt_settings.AUTH_HEADER_NAME)
    if header is not None:
        token = bearer_token(header)
        return UNDECIDED if token is None else jwt_identity(token, version=version, database=database)
    raw = raw_api_key(meta, path=path, params=params)
    if raw is None:
        return None
    try:
        entry = verified_api_key(raw, version=version, database=database)
    except exceptions.AuthenticationFailed:
        return UNDECIDED
    if entry is None:
        return UNDECIDED
    if entry.identity is None:
        user = entry.api_key.user
        entry.identity = Identity(
            user=user, api_key=entry.api_key, tier=selectors.tier_of(user=user), expires_at=entry.expires_at
        )
    return entry.identity


def bearer_token(header: str) -> bytes | None:
    """The raw token of an Authorization header BearerJWTAuthentication reads as exactly
    one token of its type; None for anything else (another scheme, none, a malformed
    header), which only Django decides. Split as bytes, the way it splits them."""
    try:
        parts = header.encode("iso-8859-1").split()
    except UnicodeEncodeError:
        return None
    if len(parts) != 2 or parts[0] not in AUTH_HEADER_TYPE_BYTES or len(parts[1]) > MAX_TOKEN_LENGTH:
        return None
    return parts[1]


@functools.cache
def _jwt_authenticator() -> BearerJWTAuthentication:
    return BearerJWTAuthentication()  # holds nothing per request


def _jwt_checks_are_pure() -> bool:
    # SimpleJWT's AccessToken checks signature, type and exp without the database. A
    # blacklist-checking token class (SlidingToken) or the password-hash revocation claim
    # would need it on every request: such set-ups are left to Django.
    return list(jwt_settings.AUTH_TOKEN_CLASSES) == [AccessToken] and not jwt_settings.CHECK_REVOKE_TOKEN


def jwt_identity(raw_token: bytes | str, *, version=READ_VERSION, database: bool = False):
    """The Identity of a Bearer JWT, the same checks as BearerJWTAuthentication: the token
    (signature, type, exp) on every request; its user (active, with profile and tier)
    from this process's cache under the credentials version (accounts.credentials), so
    a deactivated or deleted user or a tier change counts at once in every process.
    UNDECIDED for a refused token (Django answers the 401), for a user not cached at
    ``version`` when ``database`` is False, and for set-ups it cannot check without the
    database (_jwt_checks_are_pure)."""
    if not _jwt_checks_are_pure():
        return UNDECIDED
    authenticator = _jwt_authenticator()
    try:
        token = authenticator.get_validated_token(raw_token)
    except exceptions.AuthenticationFailed:
        return UNDECIDED
    user_id = token.get(jwt_settings.USER_ID_CLAIM)
    if type(user_id) not in (int, str):
        return UNDECIDED  # no claim, or one of an odd type: Django decides
    cache_key = (type(user_id), user_id)  # "1" and 1 are looked up apart, each as Django would
    if version is READ_VERSION:
        version = credentials.version()  # before the row is read, as for keys
    entry = credentials.cached_user(cache_key, version)
    if entry is not None:
        user, tier = entry.user, entry.tier
    elif not database:
        return UNDECIDED
    else:
        try:
            user = authenticator.get_user(token)
        except exceptions.AuthenticationFailed:
            return UNDECIDED
        tier = selectors.tier_of(user=user)
        credentials.store_user(cache_key, user, tier, version=version)
    exp = token.get("exp")
    return Identity(user=user, api_key=None, tier=tier, expires_at=float(exp) if isinstance(exp, int | float) else None)


class ApiKeyAuthentication(BaseAuthentication):
    """``X-API-Key: cdt_<prefix>_<secret>`` (and CoinGecko's key names on /api/v3/, see
    ``raw_api_key``); the same checks and tiers whichever way the key came."""

    def authenticate(self, request):
        return api_key_from_meta(request.META, path=request.path, params=request.GET)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


def _access_token(raw: str) -> AccessToken:
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise _invalid("Invalid or expired token.")
    try:
        return AccessToken(raw)
    except Exception:  # TokenError, or a decoder choking on garbage: a bad token
        raise _invalid("Invalid or expired token.")


def user_from_jwt(raw: str) -> AbstractBaseUser:
    return BearerJWTAuthentication().get_user(_access_token(raw))


@dataclass(frozen=True)
class Identity:
    user: AbstractBaseUser | AnonymousUser
    api_key: ApiKey | None
    tier: Tier
    # Epoch seconds after which the credential is no longer valid (a JWT's exp), or None.
    expires_at: float | None = None


def authenticate_websocket(query_string: bytes | str) -> Identity:
    """For the WebSocket layer: ``?token=<jwt>`` or ``?api_key=<key>``.

    Raises AuthenticationFailed for bad credentials and NotAuthenticated for none when
    anonymous reads are off. Synchronous (it reads the database): call it through
    ``channels.db.database_sync_to_async``.
    """
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    try:
        params = parse_qs(query_string, keep_blank_values=True, max_num_fields=20)
    except ValueError:
        raise _invalid("Malformed query string.")
    token = params.get("token", [None])[0]
    raw_key = params.get("api_key", [None])[0]
    if raw_key is not None:
        user, api_key = user_from_api_key(raw_key)
        return Identity(user=user, api_key=api_key, tier=selectors.tier_of(user=user))
    if token is not None:
        access = _access_token(token)
        user = BearerJWTAuthentication().get_user(access)
        expires_at = access.get("exp")
        return Identity(
            user=user,
            api_key=None,
            tier=selectors.tier_of(user=user),
            expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
        )
    if not settings.ANON_READS:
        raise exceptions.NotAuthenticated("Credentials are required.")
    return Identity(user=AnonymousUser(), api_key=None, tier=Tier.ANONYMOUS)


async def aauthenticate_websocket(query_string: bytes | str) -> Identity:
    """``authenticate_websocket`` for async consumers (runs it in Channels' DB thread)."""
    from channels.db import database_sync_to_async

    return await database_sync_to_async(authenticate_websocket)(query_string)

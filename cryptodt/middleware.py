"""Request-level platform concerns that every app relies on."""

from django.conf import settings
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions


class ForwardedClientAddress:
    """Behind TRUSTED_PROXY_HOPS reverse proxies, REMOTE_ADDR is the last proxy's address,
    which would put every visitor into one rate-limit bucket. Each trusted proxy appends
    the address it saw to X-Forwarded-For, so the client is the entry that many places
    from the right; anything further left came from the client and is not trusted."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request):
        apply_forwarded_client_address(request.META, self.hops)
        return self.get_response(request)


def apply_forwarded_client_address(meta: dict, hops: int) -> None:
    """Puts the client behind ``hops`` trusted proxies into REMOTE_ADDR (this middleware and
    cryptodt.fastpath both call it)."""
    if hops:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            meta["REMOTE_ADDR"] = forwarded[-hops]


class _BrowserOnly:
    """Skips a browser-session middleware for /api/ requests.

    The API authenticates with JWTs and API keys and never reads the session, messages
    or ``request.user`` set from a session cookie (DRF sets ``request.user`` itself), yet
    those three middleware cost ~0.1 ms on every API call. The admin and everything else
    outside /api/ keeps them. Subclassing (not wrapping) keeps the admin's system checks
    (admin.E408–E410) satisfied.
    """

    def __call__(self, request):
        if not self.async_mode and request.path_info.startswith("/api/"):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(_BrowserOnly, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(_BrowserOnly, auth.AuthenticationMiddleware):
    pass


class MessageMiddleware(_BrowserOnly, messages.MessageMiddleware):
    pass

"""Request-level platform concerns that every app relies on."""

from django.conf import settings


class ForwardedClientAddress:
    """Behind TRUSTED_PROXY_HOPS reverse proxies, REMOTE_ADDR is the last proxy's address,
    which would put every visitor into one rate-limit bucket. Each trusted proxy appends
    the address it saw to X-Forwarded-For, so the client is the entry that many places
    from the right; anything further left came from the client and is not trusted."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request):
        if self.hops:
            forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            forwarded = [part for part in forwarded if part]
            if len(forwarded) >= self.hops:
                request.META["REMOTE_ADDR"] = forwarded[-self.hops]
        return self.get_response(request)

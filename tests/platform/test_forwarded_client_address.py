"""Behind a proxy, rate limits must see the visitor's address, not the proxy's."""

import pytest
from django.http import JsonResponse
from django.test import RequestFactory

from cryptodt.middleware import ForwardedClientAddress


def remote_addr_seen(settings, hops: int, forwarded: str | None) -> str:
    settings.TRUSTED_PROXY_HOPS = hops
    middleware = ForwardedClientAddress(lambda request: JsonResponse({"addr": request.META["REMOTE_ADDR"]}))
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/api/health", REMOTE_ADDR="10.0.0.9", **headers)
    return middleware(request).content.decode()


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.9"),  # no trusted proxy: the header is the client's word
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.66, 203.0.113.7", "203.0.113.7"),  # a spoofed entry on the left is ignored
        (2, "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer entries than proxies: keep the peer address
        (1, None, "10.0.0.9"),
        (1, " , ", "10.0.0.9"),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_end_of_x_forwarded_for(settings, hops, forwarded, expected):
    assert remote_addr_seen(settings, hops, forwarded) == f'{{"addr": "{expected}"}}'

"""Webhook requests that cannot be pointed at the inside of the network.

A URL is checked when a rule is saved and again before every send: http(s) only, the
host resolved and *every* address it resolves to checked, then the connection made to
the checked address itself (the Host header and TLS name stay the URL's), so a DNS
answer that changes between check and connect (rebinding) changes nothing. Redirects are
never followed, and only a short excerpt of the answer is read.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

MAX_URL_CHARS = 2000
EXCERPT_BYTES = 512


class UnsafeWebhook(ValueError):
    """The URL is not one cryptodt will send to; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (the TLS name and Host header)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    status: int
    excerpt: str


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def parse(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS or not url.isprintable():
        raise UnsafeWebhook(f"A webhook URL is an http(s) URL of at most {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeWebhook("The webhook URL cannot be parsed.") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhook("Webhook URLs must use http or https.")
    if not parts.hostname:
        raise UnsafeWebhook("The webhook URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhook("Webhook URLs may not carry credentials; authenticate with the signature.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def _addresses(host: str, port: int) -> tuple[str, ...]:
    try:
        return (str(ipaddress.ip_address(host)),)  # a literal address needs no resolver
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeWebhook(f"The webhook host {host!r} does not resolve.") from None
    return tuple(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


def resolve(url: str) -> Target:
    """The checked target of ``url``, or UnsafeWebhook."""
    scheme, host, port, path = parse(url)
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeWebhook(f"The webhook host {host!r} does not resolve.")
    if not settings.ALERT_ALLOW_PRIVATE_WEBHOOKS:
        for raw in addresses:
            if _refused(ipaddress.ip_address(raw)):
                raise UnsafeWebhook(
                    f"The webhook host {host!r} resolves to {raw}, a private, loopback, link-local or reserved "
                    "address (set ALERT_ALLOW_PRIVATE_WEBHOOKS=1 to allow them)."
                )
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST to the first checked address; raises UnsafeWebhook or a urllib3/OS error."""
    target = resolve(url)
    address = target.addresses[0]
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header += f":{target.port}"
    options = {"port": target.port, "timeout": urllib3.Timeout(total=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **options)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(EXCERPT_BYTES, decode_content=False)
        finally:
            response.release_conn()
        return Answer(status=response.status, excerpt=excerpt.decode("utf-8", errors="replace")[:EXCERPT_BYTES])
    finally:
        pool.close()

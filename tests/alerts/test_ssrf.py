"""Webhook URLs cannot reach inside the network: checked when saved and again when sent."""

import socket

import pytest

from alerts import outbound
from alerts.models import DeliveryState
from alerts.services import delivery
from tests.alerts.conftest import rule, webhook_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def strict(settings):
    settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",  # a host name that resolves to loopback
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://172.16.5.5/hook",
        "http://169.254.169.254/latest/meta-data",  # cloud metadata, link-local
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://100.64.0.1/hook",
        "http://240.0.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(strict, api, coins, url):
    response = api.post(
        "/api/alerts",
        {"coin": "bitcoin", "condition": "price_above", "threshold": 1, "webhook_url": url},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"]["parameter"] == "webhook_url"
    assert "ALERT_ALLOW_PRIVATE_WEBHOOKS" in error["message"]


def test_a_host_resolving_to_any_private_address_is_refused(strict, monkeypatch):
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 443)) for ip in ("93.184.215.14", "10.0.0.7")]
    monkeypatch.setattr(outbound.socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(outbound.UnsafeWebhook, match="10.0.0.7"):
        outbound.resolve("https://hooks.example/in")


def test_the_check_runs_again_at_send_time(settings, api, prices, receiver):
    hook = receiver()
    created = rule(api, webhook_url=hook.url)  # allowed when saved
    prices.store("151")
    settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = False  # and no longer when sent
    delivery.attempt(webhook_of(created["id"]).pk)
    assert hook.requests == []
    state = webhook_of(created["id"])
    assert state.state == DeliveryState.DEAD and state.last_error.startswith("refused:")


def test_the_connection_goes_to_the_checked_address_with_the_urls_host_name(monkeypatch, receiver):
    """What was checked is what is connected to: a second DNS answer cannot redirect it."""
    hook = receiver()
    port = hook.server.server_address[1]
    real = socket.getaddrinfo
    asked = []

    def rebinding_dns(host, *args, **kwargs):
        if host != "hooks.example":
            return real(host, *args, **kwargs)
        asked.append(host)  # first the checked loopback answer, then an attacker's
        ip = "127.0.0.1" if len(asked) == 1 else "203.0.113.9"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", rebinding_dns)
    answer = outbound.post(f"http://hooks.example:{port}/in", body=b"{}", headers={}, timeout=3)
    assert answer.status == 401  # the receiver has no secret; it did get the request
    assert hook.requests[0]["headers"]["Host"] == f"hooks.example:{port}"
    assert asked == ["hooks.example"]  # resolved once, by the check


def test_the_private_switch_lets_a_self_hoster_reach_the_lan(api, coins, receiver):
    rule(api, webhook_url=receiver().url)  # ALERT_ALLOW_PRIVATE_WEBHOOKS=1 in these tests

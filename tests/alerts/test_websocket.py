"""The alert frame on /ws/prices, through the real ASGI application and channel layer."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from accounts import services as accounts_services
from tests.alerts.conftest import firings, rule

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 5


def socket(query: str = "") -> WebsocketCommunicator:
    from cryptodt.asgi import application

    return WebsocketCommunicator(application, "/ws/prices" + (f"?{query}" if query else ""))


async def open_socket(query: str = "") -> WebsocketCommunicator:
    client = socket(query)
    accepted, _ = await client.connect(timeout=TIMEOUT)
    assert accepted
    return client


async def next_of(client: WebsocketCommunicator, kind: str) -> dict:
    for _ in range(20):
        frame = await client.receive_json_from(timeout=TIMEOUT)
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_the_owners_open_sockets_get_an_alert_frame_and_nobody_elses(api, ada, prices, make_user):
    created = rule(api, condition="price_above", threshold="150")
    grace = make_user("grace")
    ada_key = accounts_services.api_key_issue(user=ada, name="ws").key
    grace_key = accounts_services.api_key_issue(user=grace, name="ws").key

    async def scenario():
        mine = [await open_socket(f"api_key={ada_key}"), await open_socket(f"api_key={ada_key}")]
        theirs = await open_socket(f"api_key={grace_key}")
        anonymous = await open_socket()
        await sync_to_async(prices.store)("151")
        frames = [await next_of(client, "alert") for client in mine]
        for client in (theirs, anonymous):
            assert await client.receive_nothing(timeout=0.3)
        for client in (*mine, theirs, anonymous):
            await client.disconnect()
        return frames

    frames = async_to_sync(scenario)()
    [firing] = firings(created["id"])
    for frame in frames:
        assert frame["firing_id"] == str(firing.id)
        assert frame["value"] == "151" and frame["rule"]["id"] == created["id"]
        assert frame["observed_at"] == "2026-03-01T12:01:00Z"


def test_a_rule_without_the_websocket_target_sends_no_frame(api, ada, prices, receiver):
    rule(api, condition="price_above", threshold="150", notify_websocket=False, webhook_url=receiver().url)
    key = accounts_services.api_key_issue(user=ada, name="ws").key

    async def scenario():
        client = await open_socket(f"api_key={key}")
        await sync_to_async(prices.store)("151")
        assert await client.receive_nothing(timeout=0.5)
        await client.disconnect()

    async_to_sync(scenario)()


def test_alerts_fired_by_another_process_reach_the_socket_once(settings, api, ada, prices, monkeypatch):
    """Embedded profile: the task cluster's in-memory layer reaches no socket here; alerts'
    relay finds the firing in the database and sends it, once even if it also came directly."""
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        pytest.skip("the relay is for the embedded profile (no REDIS_URL)")
    from alerts.services import delivery

    settings.WS_RELAY_INTERVAL_S = 0.1
    rule(api, condition="price_above", threshold="150", repeat=True)
    key = accounts_services.api_key_issue(user=ada, name="ws").key
    real_dispatch = delivery.dispatch

    async def scenario():
        client = await open_socket(f"api_key={key}")
        # As if evaluated in another process: its frames go nowhere near this one.
        monkeypatch.setattr(delivery, "dispatch", lambda deliveries, user_of: None)
        await sync_to_async(prices.store)("151")
        relayed = await next_of(client, "alert")
        monkeypatch.setattr(delivery, "dispatch", real_dispatch)
        await sync_to_async(prices.store)("140")
        await sync_to_async(prices.store)("152")  # this one arrives directly and by the relay
        direct = await next_of(client, "alert")
        assert await client.receive_nothing(timeout=0.6)  # the relay's copy was dropped
        await client.disconnect()
        return relayed, direct

    relayed, direct = async_to_sync(scenario)()
    assert relayed["value"] == "151" and direct["value"] == "152"

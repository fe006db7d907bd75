"""/ws/prices refuses what it must (credentials, capacity) with a reason and a close code,
and answers every bad frame with an error frame on a socket that stays open."""

import pytest
from asgiref.sync import async_to_sync
from rest_framework_simplejwt.tokens import AccessToken

from streaming import capacity
from streaming.consumers import CLOSE_FULL, CLOSE_UNAUTHENTICATED, MAX_SYMBOLS
from tests.streaming.conftest import TIMEOUT, connected, feed, receive

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


async def refused(query: str) -> tuple[dict, int]:
    client = feed(query)
    accepted, _ = await client.connect(timeout=TIMEOUT)
    assert accepted
    error = await receive(client)
    closed = await client.receive_output(timeout=TIMEOUT)
    assert closed["type"] == "websocket.close"
    await client.wait()
    return error, closed["code"]


def test_an_api_key_or_a_token_is_accepted(user, api_key):
    async def scenario():
        for query in (f"api_key={api_key}", f"token={AccessToken.for_user(user)}"):
            client = await connected(query)
            await client.send_json_to({"action": "ping"})
            assert await receive(client) == {"type": "pong"}
            await client.disconnect()

    run(scenario)


@pytest.mark.parametrize("query", ["token=garbage", "api_key=cdt_0123456789ab_x", "token=", "api_key=%ff"])
def test_bad_credentials_get_an_error_frame_and_close_4401(query):
    async def scenario():
        error, code = await refused(query)
        assert error["type"] == "error" and error["code"] == "invalid_credentials"
        assert code == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_anonymous_clients_are_refused_when_anonymous_reads_are_off(settings, api_key):
    settings.ANON_READS = False

    async def scenario():
        error, code = await refused("")
        assert (error["code"], code) == ("not_authenticated", CLOSE_UNAUTHENTICATED)
        client = await connected(f"api_key={api_key}")
        await client.disconnect()

    run(scenario)


def test_a_full_feed_refuses_with_1013_and_frees_slots_on_disconnect(settings):
    settings.WS_MAX_CONNECTIONS = 2

    async def scenario():
        first, second = await connected(), await connected()
        error, code = await refused("")
        assert (error["code"], code) == ("too_many_connections", CLOSE_FULL)
        await first.disconnect()
        third = await connected()
        await second.disconnect()
        await third.disconnect()

    run(scenario)
    assert capacity.in_use() == 0


BAD_FRAMES = [
    ("not json", "invalid_json"),
    ("[1, 2]", "invalid_frame"),
    ('"subscribe"', "invalid_frame"),
    ("null", "invalid_frame"),
    ("{}", "unknown_action"),
    ('{"action": "explode"}', "unknown_action"),
    ('{"action": ["ping"]}', "unknown_action"),
    ('{"action": "subscribe"}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": "BTC"}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": []}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": [1, 2]}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": [""]}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": ["' + "A" * 41 + '"]}', "invalid_symbols"),
    ('{"action": "unsubscribe", "symbols": {"BTC": 1}}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": ["BT\\u0000C"]}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": ["\\ud800"]}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": ["BTC\\n"]}', "invalid_symbols"),
    ('{"action": "subscribe", "symbols": [' + ",".join(['"X"'] * (MAX_SYMBOLS + 1)) + "]}", "invalid_symbols"),
    ("x" * 1_048_576, "frame_too_large"),
    ('{"action": "ping", "a": ' + "[" * 5000 + "]" * 5000 + "}", "invalid_json"),
]


@pytest.mark.parametrize(("text", "code"), BAD_FRAMES, ids=[code + str(n) for n, (_, code) in enumerate(BAD_FRAMES)])
def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(text, code):
    async def scenario():
        client = await connected()
        await client.send_to(text_data=text)
        error = await receive(client)
        assert error["type"] == "error" and error["code"] == code and error["message"]
        await client.send_json_to({"action": "ping"})
        assert await receive(client) == {"type": "pong"}
        await client.disconnect()

    run(scenario)


def test_a_binary_frame_gets_an_error_frame():
    async def scenario():
        client = await connected()
        await client.send_to(bytes_data=b"\x00\xff" * 1000)
        assert (await receive(client))["code"] == "invalid_frame"
        await client.disconnect()

    run(scenario)


def test_subscriptions_are_capped_per_connection(coins, settings, monkeypatch):
    from streaming import consumers

    monkeypatch.setattr(consumers, "MAX_SYMBOLS", 2)

    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC"]})
        await receive(client), await receive(client)
        await client.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        assert await receive(client) == {"type": "subscribed", "symbols": ["BTC", "ETH"]}
        await client.disconnect()

    run(scenario)


class FrozenClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_of_frames_is_throttled_with_one_error_and_the_socket_stays_open(monkeypatch):
    from streaming import consumers

    clock = FrozenClock()
    monkeypatch.setattr(consumers, "clock", clock)

    async def scenario():
        client = await connected()
        for _ in range(consumers.FRAME_BURST + 25):
            await client.send_json_to({"action": "ping"})
        frames = [await receive(client) for _ in range(consumers.FRAME_BURST + 1)]
        assert frames[:-1] == [{"type": "pong"}] * consumers.FRAME_BURST
        assert frames[-1]["code"] == "rate_limited"
        assert await client.receive_nothing(timeout=0.3)
        clock.now += 1  # a second later there is room for FRAMES_PER_S frames again
        await client.send_json_to({"action": "ping"})
        assert await receive(client) == {"type": "pong"}
        await client.disconnect()

    run(scenario)

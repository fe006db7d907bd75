"""docs/API.md: "Bad frames get an error frame, not a dropped socket." Junk through /ws/prices."""

import json

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from streaming.routing import websocket_urlpatterns

pytestmark = [pytest.mark.anyio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anyio_backend():
    return "asyncio"


DEEP = 10_000
JUNK_TEXT_FRAMES = {
    "malformed": '{"action": "subscribe", ',
    "whitespace": " \n ",
    "list": '["subscribe"]',
    "number": "42",
    "string": '"ping"',
    "null": "null",
    "nan": '{"action": NaN}',
    "deep": "[" * DEEP + "]" * DEEP,
    "unknown_action": '{"action": "drop tables"}',
    "action_not_a_string": '{"action": {"a": 1}}',
    "symbols_not_a_list": '{"action": "subscribe", "symbols": "BTC"}',
    "symbols_junk": json.dumps({"action": "subscribe", "symbols": [None, 1, {}, "\u0000", "🚀" * 1000]}),
    "huge": json.dumps({"action": "subscribe", "symbols": ["X" * 100] * 10_000}),
    "lone_surrogate": '{"action": "\\ud800"}',
}


async def _connected() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/prices")
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def _still_answers_ping(communicator: WebsocketCommunicator) -> None:
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}


def _is_error_frame(frame: dict) -> bool:
    return frame.get("type") == "error" and isinstance(frame.get("code"), str) and isinstance(frame.get("message"), str)


@pytest.mark.parametrize("frame", JUNK_TEXT_FRAMES.values(), ids=JUNK_TEXT_FRAMES.keys())
async def test_a_junk_text_frame_gets_an_error_frame_and_the_socket_stays_open(frame):
    communicator = await _connected()
    await communicator.send_to(text_data=frame)
    reply = await communicator.receive_json_from(timeout=5)
    assert reply.get("type") in ("error", "subscribed"), reply
    if reply["type"] == "error":
        assert _is_error_frame(reply)
    await _still_answers_ping(communicator)
    await communicator.disconnect()


async def test_a_binary_frame_gets_an_error_frame_and_the_socket_stays_open():
    communicator = await _connected()
    await communicator.send_to(bytes_data=b"\xff\x00\x01")
    assert _is_error_frame(await communicator.receive_json_from(timeout=5))
    await _still_answers_ping(communicator)
    await communicator.disconnect()

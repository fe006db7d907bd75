"""With Redis, a price stored by one process reaches WebSocket clients of every server
process through the Redis channel layer (no relay involved).

Runs only when REDIS_URL is set (CI's second pass): without Redis each process has its
own in-memory layer, and the relay (tests/streaming/test_relay.py) covers that profile.
"""

import json
import os
from contextlib import ExitStack
from datetime import timedelta

import pytest
from websockets.sync.client import connect

from tests.accounts.test_limit_across_processes import two_servers  # noqa: F401  (a fixture)
from tests.streaming.test_relay import store_in_another_process

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs REDIS_URL: prices cross processes through the Redis channel layer (CI's second pass sets it)",
    ),
    pytest.mark.django_db(transaction=True),
]


def next_of_type(ws, kind: str) -> dict:
    for _ in range(20):
        frame = json.loads(ws.recv(timeout=30))
        if frame["type"] == kind:
            return frame
    raise AssertionError(f"no {kind} frame")


def test_a_price_published_by_another_process_reaches_clients_of_both_servers(two_servers, coins):  # noqa: F811
    with ExitStack() as stack:
        sockets = [
            stack.enter_context(connect(base.replace("http://", "ws://") + "/ws/prices", open_timeout=30))
            for base in two_servers
        ]
        for ws in sockets:
            ws.send(json.dumps({"action": "subscribe", "symbols": ["btc"]}))
            assert next_of_type(ws, "subscribed")["symbols"] == ["BTC"]
            assert next_of_type(ws, "price")["as_of"] == "2026-01-01T12:00:00Z"

        store_in_another_process("bitcoin", "BTC", "68000.5", coins + timedelta(minutes=5))

        for ws in sockets:
            frame = next_of_type(ws, "price")
            assert (frame["symbol"], frame["price"], frame["as_of"]) == ("BTC", 68000.5, "2026-01-01T12:05:00Z")
            assert frame["source"] == "binance"

"""Embedded profile: a price stored by another process (the collector) reaches this
process's clients through the relay, since the in-memory channel layer cannot."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from tests.accounts.test_limit_across_processes import ROOT, _test_database_url
from tests.streaming.conftest import connected, receive, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def embedded_profile(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.WS_RELAY_INTERVAL_S = 0.1


def store_in_another_process(coin_id: str, symbol: str, price: str, at) -> None:
    env = {**os.environ, "DATABASE_URL": _test_database_url()}
    command = [sys.executable, "-m", "tests.streaming.price_child", coin_id, symbol, price, at.isoformat()]
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=60)


def test_a_price_stored_by_another_process_reaches_subscribers(embedded_profile, coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        await receive_until(client, "price")
        await sync_to_async(store_in_another_process)("ethereum", "ETH", "3601.25", coins + timedelta(minutes=3))
        frame = await receive_until(client, "price")
        assert (frame["symbol"], frame["price"], frame["as_of"]) == ("ETH", 3601.25, "2026-01-01T12:03:00Z")
        await client.send_json_to({"action": "ping"})
        assert await receive(client) == {"type": "pong"}, "the relay sends a price once, not on every poll"
        await client.disconnect()

    async_to_sync(scenario)()


def test_the_relay_keeps_running_for_a_client_that_subscribes_as_the_last_one_leaves(embedded_profile, coins):
    async def scenario():
        first, second = await connected(), await connected()
        await first.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        await receive_until(first, "price")
        await first.disconnect()  # nobody follows anything now: the relay is cancelled
        await second.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        await receive_until(second, "price")
        await sync_to_async(store_in_another_process)("ethereum", "ETH", "3702", coins + timedelta(minutes=4))
        assert (await receive_until(second, "price"))["price"] == 3702
        await second.disconnect()

    async_to_sync(scenario)()

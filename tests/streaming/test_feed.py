"""/ws/prices through the real ASGI application: subscriptions, snapshots, pings,
heartbeats and prices broadcast by the ingest service."""

from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync

from tests.streaming.conftest import blocking, connected, nothing_more, receive, receive_until, store_price

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


def test_subscribing_confirms_the_symbols_then_sends_each_latest_price(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["btc", "Eth"]})
        assert await receive(client) == {"type": "subscribed", "symbols": ["BTC", "ETH"]}
        prices = {(await receive(client))["symbol"]: None for _ in range(2)}
        assert set(prices) == {"BTC", "ETH"}
        await client.disconnect()

    run(scenario)


def test_a_snapshot_carries_the_largest_coin_of_a_shared_symbol_with_every_digit(coins):
    async def scenario():
        client = await connected()
        await client.send_to(text_data='{"action": "subscribe", "symbols": ["BTC"]}')
        await receive_until(client, "subscribed")
        text = await client.receive_from(timeout=5)
        assert '"price":65000.12' in text
        assert '"change_24h_pct":-1.5' in text
        assert '"as_of":"2026-01-01T12:00:00Z"' in text and '"source":"coingecko"' in text
        await client.disconnect()

    run(scenario)


def test_unknown_symbols_are_named_and_known_ones_still_subscribed(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC", "NOPE", "zzz"]})
        assert await receive(client) == {"type": "subscribed", "symbols": ["BTC"]}
        error = await receive(client)
        assert error["type"] == "error" and error["code"] == "unknown_symbol"
        assert "NOPE" in error["message"] and "ZZZ" in error["message"]
        assert (await receive(client))["type"] == "price"
        await client.disconnect()

    run(scenario)


def test_a_new_price_reaches_subscribers_after_the_ingest_commits(coins):
    async def scenario():
        client = await connected()
        other = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC"]})
        await other.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        for c in (client, other):
            await receive_until(c, "price")
        await blocking(store_price, "bitcoin", "BTC", "66000.5", coins + timedelta(minutes=1))
        frame = await receive_until(client, "price")
        assert frame == {
            "type": "price",
            "symbol": "BTC",
            "price": 66000.5,
            "change_24h_pct": None,
            "as_of": "2026-01-01T12:01:00Z",
            "source": "binance",
        }
        assert await nothing_more(other)
        await client.disconnect()
        await other.disconnect()

    run(scenario)


def test_an_older_or_repeated_price_is_not_sent_again(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        await receive_until(client, "price")
        await blocking(store_price, "ethereum", "ETH", "3400", coins - timedelta(minutes=5))
        await blocking(store_price, "ethereum", "ETH", "3500.5", coins)
        assert await nothing_more(client)
        await client.disconnect()

    run(scenario)


def test_unsubscribing_stops_the_prices_of_that_coin(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC", "ETH"]})
        for _ in range(3):
            await receive(client)
        await client.send_json_to({"action": "unsubscribe", "symbols": ["eth"]})
        assert await receive(client) == {"type": "subscribed", "symbols": ["BTC"]}
        await blocking(store_price, "ethereum", "ETH", "3600", coins + timedelta(minutes=1))
        assert await nothing_more(client)
        await client.disconnect()

    run(scenario)


def test_ping_gets_pong():
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "ping"})
        assert await receive(client) == {"type": "pong"}
        await client.disconnect()

    run(scenario)


def test_heartbeats_arrive_every_ws_heartbeat_s(settings):
    settings.WS_HEARTBEAT_S = 0.05

    async def scenario():
        client = await connected()
        beats = [await receive(client) for _ in range(2)]
        assert [b["type"] for b in beats] == ["heartbeat", "heartbeat"]
        assert beats[0]["ts"].endswith("Z")
        await client.disconnect()

    run(scenario)


def test_a_price_keeps_a_tiny_value_exact(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["ETH"]})
        await receive_until(client, "price")
        await blocking(store_price, "ethereum", "ETH", "0.00001234", coins + timedelta(minutes=2), "coingecko")
        text = await client.receive_from(timeout=5)
        assert '"price":0.00001234' in text
        assert Decimal("0.00001234") == Decimal(text.split('"price":')[1].split(",")[0])
        await client.disconnect()

    run(scenario)


def test_a_closed_connection_leaves_the_fan_out(coins):
    from streaming import fanout

    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC", "ETH"]})
        await receive_until(client, "subscribed")
        followers = fanout.registry().followers
        assert all(followers.get(pk) for pk in await blocking(coin_pks))
        await client.disconnect()
        assert not any(followers.get(pk) for pk in await blocking(coin_pks))
        assert fanout.registry().listener is None, "nobody follows anything: the listener stops"

    run(scenario)


def coin_pks() -> list[int]:
    from markets.models import Coin

    return list(Coin.objects.filter(coin_id__in=["bitcoin", "ethereum"]).values_list("pk", flat=True))


def test_prices_are_stored_even_when_the_channel_layer_is_down(coins, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:9/0"]}}
    }
    store_price("bitcoin", "BTC", "66666", coins + timedelta(minutes=9))
    from markets.models import LatestQuote

    assert LatestQuote.objects.get(coin__coin_id="bitcoin").price == Decimal("66666")

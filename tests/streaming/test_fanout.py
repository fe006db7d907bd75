"""streaming.fanout: each batch of prices written once per socket that follows the coins,
the same frames as before, and no socket held up by another."""

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync

from markets.services import ingest
from providers.records import Quote
from streaming import fanout
from streaming.frames import price_frame, price_text, to_text
from tests.streaming.conftest import blocking, connected, nothing_more, receive, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


def event(coin: int, price: str, as_of: str) -> dict:
    return {
        "type": "price.update",
        "coin": coin,
        "symbol": f"C{coin}",
        "price": price,
        "change_24h_pct": None,
        "as_of": as_of,
        "source": "binance",
    }


class Socket:
    """An ASGI send that records frames; ``hold`` makes writes wait, like a full socket."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.hold: asyncio.Event | None = None
        self.gone = False

    async def send(self, message: dict) -> None:
        if self.gone:
            raise ConnectionResetError("the client went away")
        if self.hold is not None:
            await self.hold.wait()
        self.texts.append(message["text"])

    def prices(self) -> list[tuple[str, float]]:
        return [(json.loads(t)["symbol"], json.loads(t)["price"]) for t in self.texts]


def test_a_socket_following_two_coins_gets_both_prices_of_one_batch(coins):
    async def scenario():
        client = await connected()
        await client.send_json_to({"action": "subscribe", "symbols": ["BTC", "ETH"]})
        await receive_until(client, "subscribed")
        for _ in range(2):
            await receive_until(client, "price")
        t = coins + timedelta(minutes=1)
        quotes = [
            Quote(coin_id="bitcoin", symbol="BTC", price=Decimal("66000"), as_of=t),
            Quote(coin_id="ethereum", symbol="ETH", price=Decimal("3600"), as_of=t),
        ]
        await blocking(ingest.ingest_quotes, quotes=quotes, source="binance")
        frames = [await receive(client) for _ in range(2)]
        assert {(f["symbol"], f["price"]) for f in frames} == {("BTC", 66000), ("ETH", 3600)}
        assert await nothing_more(client)
        await client.disconnect()

    run(scenario)


def test_a_socket_that_follows_nothing_gets_no_prices(coins):
    async def scenario():
        follower, idle = await connected(), await connected()
        await follower.send_json_to({"action": "subscribe", "symbols": ["BTC"]})
        await receive_until(follower, "price")
        await blocking(
            ingest.ingest_quotes,
            quotes=[Quote(coin_id="bitcoin", symbol="BTC", price=Decimal("66001"), as_of=coins + timedelta(minutes=2))],
            source="binance",
        )
        assert (await receive_until(follower, "price"))["price"] == 66001
        assert await nothing_more(idle)
        for client in (follower, idle):
            await client.disconnect()

    run(scenario)


def test_the_fan_out_writes_the_same_text_as_the_frame_encoder():
    async def scenario():
        registry, socket = fanout.Registry(), Socket()
        outlet = fanout.Outlet(socket.send)
        registry.followers[7] = {outlet: None}
        sent = event(7, "0.00001234", "2026-01-01T12:00:00Z")
        assert registry.deliver([sent]) == 1
        assert socket.texts == [to_text(price_frame(sent))] == [price_text(sent)]
        assert '"price":0.00001234' in socket.texts[0]

    run(scenario)


def test_a_repeated_or_older_price_is_not_written_again():
    async def scenario():
        registry, socket = fanout.Registry(), Socket()
        registry.followers[1] = {fanout.Outlet(socket.send): None}
        registry.deliver([event(1, "2", "2026-01-01T12:01:00Z")])
        registry.deliver([event(1, "2", "2026-01-01T12:01:00Z"), event(1, "1", "2026-01-01T12:00:00Z")])
        assert socket.prices() == [("C1", 2)]

    run(scenario)


def test_a_slow_socket_holds_up_no_other_and_catches_up_with_the_newest_prices():
    async def scenario():
        registry, slow, quick = fanout.Registry(), Socket(), Socket()
        slow.hold = asyncio.Event()
        slow_outlet = fanout.Outlet(slow.send)
        registry.followers[1] = {slow_outlet: None, fanout.Outlet(quick.send): None}
        registry.followers[2] = dict(registry.followers[1])
        for n in range(1, 4):
            registry.deliver(
                [event(1, str(n), f"2026-01-01T12:0{n}:00Z"), event(2, str(10 * n), f"2026-01-01T12:0{n}:00Z")]
            )
        assert quick.prices() == [("C1", 1), ("C2", 10), ("C1", 2), ("C2", 20), ("C1", 3), ("C2", 30)]
        assert slow.texts == [], "its first write waits"
        slow.hold.set()
        await slow_outlet.task
        # The write that waited, then only the newest price of each coin, in order.
        assert slow.prices() == [("C1", 1), ("C1", 3), ("C2", 30)]

    run(scenario)


def test_a_closed_socket_holds_up_no_other():
    async def scenario():
        registry, gone, alive = fanout.Registry(), Socket(), Socket()
        gone.gone = True
        registry.followers[1] = {fanout.Outlet(gone.send): None, fanout.Outlet(alive.send): None}
        registry.deliver([event(1, "5", "2026-01-01T12:00:00Z")])
        registry.deliver([event(1, "6", "2026-01-01T12:01:00Z")])
        assert alive.prices() == [("C1", 5), ("C1", 6)]
        assert gone.texts == []

    run(scenario)

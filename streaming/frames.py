"""The frames of /ws/prices (API.md), built in one place for the consumer, the broadcast
and the relay.

A price crosses the channel layer as text (msgpack, which the Redis layer uses, has no
Decimal) and becomes a Decimal again just before it is written, so the client gets a JSON
number with every digit the provider sent.
"""

from datetime import UTC, datetime
from decimal import Decimal

from markets.api.renderers import decimal_text, encode
from markets.times import iso

PRICE_EVENT = "price.update"
ALERT_EVENT = "alert.fired"  # sent by alerts to alert_group_for(user), relayed as an "alert" frame


def group_for(coin_pk: int) -> str:
    """One group per coin, not per symbol: a symbol several coins share means the largest."""
    return f"prices.{coin_pk}"


def price_event(
    *, coin_pk: int, symbol: str, price: Decimal, change_24h_pct: Decimal | None, t: datetime, source: str
) -> dict:
    """A channel-layer message carrying one new price."""
    return {
        "type": PRICE_EVENT,
        "coin": coin_pk,
        "symbol": symbol,
        "price": decimal_text(price),
        "change_24h_pct": decimal_text(change_24h_pct) if change_24h_pct is not None else None,
        "as_of": iso(t),
        "source": source,
    }


def price_frame(event: dict) -> dict:
    change = event.get("change_24h_pct")
    return {
        "type": "price",
        "symbol": event["symbol"],
        "price": Decimal(event["price"]),
        "change_24h_pct": Decimal(change) if change is not None else None,
        "as_of": event["as_of"],
        "source": event["source"],
    }


def alert_group_for(user_pk: int) -> str:
    """A user's sockets, where alerts sends the ``alert.fired`` events of that user's rules."""
    return f"alerts.user.{user_pk}"


def alert_frame(event: dict) -> dict:
    return {"type": "alert", **event["alert"]}


def error_frame(code: str, message: str) -> dict:
    return {"type": "error", "code": code, "message": message}


def heartbeat_frame() -> dict:
    return {"type": "heartbeat", "ts": iso(datetime.now(UTC))}


def to_text(frame: dict) -> str:
    return encode(frame)

"""The frames of /ws/prices (docs/API.md), built in one place for the consumer, the broadcast,
the relay and the fan-out.

A price crosses the channel layer as text (msgpack, which the Redis layer uses, has no
Decimal) and becomes a Decimal again just before it is written, so the client gets a JSON
number with every digit the provider sent.
"""

from datetime import UTC, datetime
from decimal import Decimal

from cryptodt.api.renderers import decimal_text, encode
from cryptodt.times import iso

PRICE_EVENT = "price.update"
# Each stored batch crosses the channel layer once, as one message to one group whose
# members are the web processes' fan-out listeners (streaming.fanout), not the sockets.
PRICES_GROUP = "prices"
PRICE_BATCH = "price.batch"


def price_event(row) -> dict:
    """A channel-layer message carrying one coin's new price, from a stored price row
    (a PriceSnapshot or LatestQuote with ``coin`` loaded)."""
    change = row.change_24h_pct
    return {
        "type": PRICE_EVENT,
        "coin": row.coin_id,
        "symbol": row.coin.symbol,
        "price": decimal_text(row.price),
        "change_24h_pct": decimal_text(change) if change is not None else None,
        "as_of": iso(row.t),
        "source": row.source,
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


# (coin, as_of, price, change, source) -> the frame's text. A price reaches every socket
# that follows the coin; the text is the same for all, so it is encoded once.
_price_texts: dict[tuple, str] = {}
_MAX_PRICE_TEXTS = 4096


def price_text(event: dict) -> str:
    """``to_text(price_frame(event))``, encoded once per price, not once per socket."""
    key = (event["coin"], event["symbol"], event["as_of"], event["price"], event.get("change_24h_pct"), event["source"])
    text = _price_texts.get(key)
    if text is None:
        if len(_price_texts) >= _MAX_PRICE_TEXTS:
            _price_texts.clear()
        text = _price_texts[key] = to_text(price_frame(event))
    return text


def alert_frame(event: dict) -> dict:
    return {"type": "alert", **event["alert"]}


def error_frame(code: str, message: str) -> dict:
    return {"type": "error", "code": code, "message": message}


def heartbeat_frame() -> dict:
    return {"type": "heartbeat", "ts": iso(datetime.now(UTC))}


def to_text(frame: dict) -> str:
    return encode(frame)

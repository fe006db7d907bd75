"""Turning a provider's body into checked Python values.

Every number is built from the JSON text (``parse_float=Decimal``), so ``0.00001234``
keeps every digit. Anything that is not what the provider documents raises
``InvalidPayload``; provider modules call these helpers and never catch that error.
"""

import json
import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from providers.errors import InvalidPayload

# A price above this in a fiat-like currency is a decimal-point slip or a broken feed, not
# a market (BTC would have to be worth more than all money on earth for it to be real).
ABSURD_PRICE = {"usd": Decimal("1e9"), "usdt": Decimal("1e9"), "eur": Decimal("1e9"), "gbp": Decimal("1e9")}
ABSURD_PRICE_OTHER = Decimal("1e15")  # jpy, idr, vnd ... and crypto-denominated quotes


def _reject_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def decode_json(provider: str, endpoint: str, body: bytes, content_type: str = "") -> Any:
    head = body[:200].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        raise InvalidPayload(provider, endpoint, "HTML instead of JSON")
    if not body.strip():
        raise InvalidPayload(provider, endpoint, "empty body")
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidPayload(provider, endpoint, f"truncated or malformed JSON: {str(exc)[:120]}") from None


class Checker:
    """Field checks bound to one provider call, so every rejection names its source."""

    def __init__(self, provider: str, endpoint: str):
        self.provider = provider
        self.endpoint = endpoint

    def fail(self, what: str) -> InvalidPayload:
        return InvalidPayload(self.provider, self.endpoint, what)

    def dict(self, value: Any, what: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} is {type(value).__name__}, expected an object")
        return value

    def list(self, value: Any, what: str, *, allow_empty: bool = False) -> list:
        if not isinstance(value, list):
            raise self.fail(f"{what} is {type(value).__name__}, expected a list")
        if not value and not allow_empty:
            raise self.fail(f"{what} is empty")
        return value

    def field(self, obj: dict, key: str, what: str) -> Any:
        if key not in obj or obj[key] is None:
            raise self.fail(f"{what} lacks required field {key!r}")
        return obj[key]

    def text(self, obj: dict, key: str, what: str) -> str:
        value = self.field(obj, key, what)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what}.{key} is not a non-empty string")
        return value

    def decimal(self, value: Any, what: str, *, optional: bool = False) -> Decimal | None:
        """A finite number; numbers sent as strings (Binance, CoinCap, Kraken) count too."""
        if value is None:
            if optional:
                return None
            raise self.fail(f"{what} is missing")
        if isinstance(value, bool):
            raise self.fail(f"{what} is a boolean")
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise self.fail(f"{what} is not a number: {str(value)[:40]!r}") from None
        if not number.is_finite():
            raise self.fail(f"{what} is {number}")
        return number

    def non_negative(self, value: Any, what: str, *, optional: bool = True) -> Decimal | None:
        number = self.decimal(value, what, optional=optional)
        if number is not None and number < 0:
            raise self.fail(f"{what} is negative ({number})")
        return number

    def amount(self, value: Any, what: str) -> Decimal | None:
        """A market cap or volume: optional, never negative; 0 means the provider does not know."""
        number = self.non_negative(value, what)
        return None if number is None or number == 0 else number

    def price(self, value: Any, what: str, *, vs: str = "usd") -> Decimal:
        number = self.decimal(value, what)
        if number <= 0:
            raise self.fail(f"{what} is not positive ({number})")
        if number > ABSURD_PRICE.get(vs.lower(), ABSURD_PRICE_OTHER):
            raise self.fail(f"{what} is absurd ({number} {vs})")
        return number

    def integer(self, value: Any, what: str, *, optional: bool = False) -> int | None:
        number = self.decimal(value, what, optional=optional)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise self.fail(f"{what} is not an integer ({number})")
        return int(number)

    def unix(self, value: Any, what: str, *, millis: bool = False) -> datetime:
        number = self.decimal(value, what)
        seconds = float(number) / 1000 if millis else float(number)
        # Between 2009 (Bitcoin) and 2100: anything else is a unit mix-up.
        if not 1_230_000_000 <= seconds <= 4_102_444_800 or math.isnan(seconds):
            raise self.fail(f"{what} is not a plausible timestamp ({number})")
        return datetime.fromtimestamp(seconds, tz=UTC)

    def iso(self, value: Any, what: str, *, optional: bool = False) -> datetime | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{what} is not an ISO-8601 time")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"{what} is not an ISO-8601 time: {value[:40]!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def now() -> datetime:
    return datetime.now(tz=UTC)

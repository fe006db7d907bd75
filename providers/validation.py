"""Reject impossible values before anything is stored.

A batch with one impossible value is rejected whole: a provider that sends a negative
price or a bar whose high is below its low is not trusted for the rest of that answer.
"""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# 22 integer digits hold any market cap or supply; 18 decimals hold a sub-satoshi
# price such as 0.000000001234 with every significant digit the provider sent. The
# database columns (markets.models.fields) are sized from these.
MONEY_DIGITS = 40
MONEY_PLACES = 18

_QUANTUM = Decimal(1).scaleb(-MONEY_PLACES)
_LIMIT = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES)
_EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)  # the Bitcoin genesis block
_CLOCK_SKEW = timedelta(minutes=10)


class InvalidRecord(ValueError):
    """An upstream value that cannot be true; the whole batch is refused."""


def money(value: Decimal | None, what: str, *, positive: bool = False, signed: bool = False) -> Decimal | None:
    """Return the value fitted to the column, or raise InvalidRecord."""
    if value is None:
        if positive:
            raise InvalidRecord(f"{what} is missing")
        return None
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            raise InvalidRecord(f"{what} is not a number: {value!r}")
    if not value.is_finite():
        raise InvalidRecord(f"{what} is not finite: {value}")
    if positive and value <= 0:
        raise InvalidRecord(f"{what} must be positive, got {value}")
    if not signed and value < 0:
        raise InvalidRecord(f"{what} must not be negative, got {value}")
    if abs(value) >= _LIMIT:
        raise InvalidRecord(f"{what} is out of range: {value}")
    if value.as_tuple().exponent < -MONEY_PLACES:  # type: ignore[operator]
        # Beyond 18 decimals: keep the 18 the column holds (documented in docs/data.md).
        value = value.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
        if positive and value <= 0:
            raise InvalidRecord(f"{what} is too small to store: {value}")
    return value


def moment(value: datetime | None, what: str) -> datetime:
    if value is None or not isinstance(value, datetime):
        raise InvalidRecord(f"{what} is missing")
    if value.tzinfo is None:
        raise InvalidRecord(f"{what} has no time zone")
    now = datetime.now(UTC)
    if value < _EARLIEST or value > now + _CLOCK_SKEW:
        raise InvalidRecord(f"{what} is impossible: {value.isoformat()}")
    return value.astimezone(UTC)


def text(value: str | None, what: str, *, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidRecord(f"{what} is empty")
    if len(value) > max_length or "\x00" in value:
        raise InvalidRecord(f"{what} is too long or malformed")
    return value


def ohlc(open_, high, low, close, what: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    o, h, lo, c = (
        money(v, f"{what} {n}", positive=True) for n, v in zip("ohlc", (open_, high, low, close), strict=True)
    )
    if h < lo or not (lo <= o <= h) or not (lo <= c <= h):
        raise InvalidRecord(f"{what}: open/close outside low..high ({o}, {h}, {lo}, {c})")
    return o, h, lo, c

"""Number, time and sparkline formatting for the dashboard templates."""

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def money(value) -> str:
    """$65,000.12 / $0.2734 / $0.00001234: cents for a dollar and up, four significant digits below."""
    number = _number(value)
    if number is None:
        return "—"
    if abs(number) >= 1:
        return f"${number:,.2f}"
    if number == 0:
        return "$0.00"
    digits = max(2, -number.adjusted() + 3)
    return f"${number:.{min(digits, 12)}f}"


@register.filter
def compact(value) -> str:
    """$1.28T, $420.00B, $5.30M: for market caps, volumes and TVL."""
    number = _number(value)
    if number is None:
        return "—"
    for size, suffix in (
        (Decimal(10) ** 12, "T"),
        (Decimal(10) ** 9, "B"),
        (Decimal(10) ** 6, "M"),
        (Decimal(10) ** 3, "K"),
    ):
        if abs(number) >= size:
            return f"${number / size:,.2f}{suffix}"
    return f"${number:,.0f}"


@register.filter
def words(value) -> str:
    """skipped_no_key → skipped no key."""
    return str(value or "").replace("_", " ")


@register.filter
def pct(value) -> str:
    number = _number(value)
    if number is None:
        return "—"
    return f"{'+' if number > 0 else ''}{number:.2f}%"


@register.filter
def direction(value) -> str:
    """CSS class of a change: up, down or flat."""
    number = _number(value)
    if not number:
        return "flat"
    return "up" if number > 0 else "down"


def _parse(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@register.filter
def ago(value) -> str:
    """ "42 s ago", "5 min ago", "3 h ago", "2 d ago"."""
    moment = _parse(value)
    if moment is None:
        return "never"
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


@register.filter
def sparkline(values, size: str = "120x32") -> str:
    """SVG polyline points for a series, scaled into a width x height box."""
    numbers = [float(v) for v in values or [] if v is not None]
    if len(numbers) < 2:
        return ""
    width, height = (float(part) for part in size.split("x"))
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = width / (len(numbers) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (n - low) / span * (height - 4):.1f}" for i, n in enumerate(numbers))


@register.filter
def trend(values) -> str:
    """up or down: the series' last value against its first."""
    numbers = [v for v in values or [] if v is not None]
    if len(numbers) < 2:
        return "flat"
    return "up" if numbers[-1] >= numbers[0] else "down"


@register.filter
def oldest_first(rows):
    return list(reversed(rows or []))


@register.filter
def pluck(rows, field: str) -> list:
    return [row.get(field) for row in rows or []]


@register.simple_tag
def needle(value, radius: int = 80) -> str:
    """The end point of the Fear & Greed gauge's needle (0 left, 100 right, centre 100,100)."""
    import math

    angle = math.pi * (1 - max(0, min(100, int(value))) / 100)
    return f"{100 + radius * math.cos(angle):.1f},{100 - radius * math.sin(angle):.1f}"

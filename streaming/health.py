"""streaming's readiness check, registered in StreamingConfig.ready."""

from datetime import UTC, datetime

from django.conf import settings

from cryptodt.times import iso
from streaming import capacity, exchange


def feed_status() -> dict:
    """Sockets in use, and whether stream_prices is feeding prices (optional: without it
    prices come from the scheduled collection alone)."""
    in_use = capacity.in_use()
    last = exchange.last_stored()
    if last is None:
        stream = "stream_prices has not stored a price"
    else:
        stream = f"stream_prices stored a price {int((datetime.now(UTC) - last).total_seconds())} s ago"
    return {
        "ok": in_use < settings.WS_MAX_CONNECTIONS,
        "detail": f"{in_use} of {settings.WS_MAX_CONNECTIONS} WebSocket connections; {stream}",
        "connections": in_use,
        "stream_last_stored": iso(last),
    }

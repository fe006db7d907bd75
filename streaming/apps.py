from django.apps import AppConfig


def feed_status() -> dict:
    """Readiness: sockets in use, and whether stream_prices is feeding prices (optional:
    without it prices come from the scheduled collection alone)."""
    from datetime import UTC, datetime

    from django.conf import settings

    from markets.times import iso
    from streaming import capacity, exchange

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


class StreamingConfig(AppConfig):
    name = "streaming"

    def ready(self) -> None:
        from cryptodt import health

        # Registered only: the check reads the shared cache when /api/health/ready runs.
        health.register("price_feed", feed_status)

        from markets.signals import prices_stored
        from streaming.services import on_prices_stored

        prices_stored.connect(on_prices_stored, dispatch_uid="streaming.broadcast_prices")

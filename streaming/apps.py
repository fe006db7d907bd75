from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "streaming"

    def ready(self) -> None:
        from cryptodt import health
        from markets.signals import prices_stored
        from streaming.health import feed_status
        from streaming.services import on_prices_stored

        # Registered only: the check reads the shared cache when /api/health/ready runs.
        health.register("price_feed", feed_status)
        # markets announces stored prices; it never imports this floor.
        prices_stored.connect(on_prices_stored, dispatch_uid="streaming.broadcast_prices")

        from streaming import alert_relay
        from streaming.signals import socket_user_closed, socket_user_opened

        # Embedded profile: alerts fired in another process reach this process's sockets.
        socket_user_opened.connect(alert_relay.on_socket_opened, dispatch_uid="streaming.alert_relay_open")
        socket_user_closed.connect(alert_relay.on_socket_closed, dispatch_uid="streaming.alert_relay_close")

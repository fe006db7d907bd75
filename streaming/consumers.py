"""The live price feed. Placeholder until the streaming issue lands: it accepts the
socket, answers pings and says that subscriptions are not available yet."""

from channels.generic.websocket import JsonWebsocketConsumer


class PriceFeedConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.accept()

    def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("action") == "ping":
            self.send_json({"type": "pong"})
            return
        self.send_json({"type": "error", "code": "not_implemented", "message": "Subscriptions are not available yet."})

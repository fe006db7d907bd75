"""The live price feed. Placeholder until the streaming issue lands: it accepts the
socket, answers pings and says that subscriptions are not available yet."""

from channels.generic.websocket import JsonWebsocketConsumer


class PriceFeedConsumer(JsonWebsocketConsumer):
    def connect(self) -> None:
        self.accept()

    def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # API.md: a bad frame gets an error frame, not a dropped socket. Channels' own decoding
        # raises on binary frames and on malformed or too deeply nested JSON, closing it.
        if text_data is None:
            self.send_error("invalid_frame", "Frames are JSON text; binary frames are not accepted.")
            return
        try:
            content = self.decode_json(text_data)
        except (ValueError, RecursionError):
            self.send_error("invalid_frame", "The frame is not valid JSON.")
            return
        self.receive_json(content, **kwargs)

    def send_error(self, code: str, message: str) -> None:
        self.send_json({"type": "error", "code": code, "message": message})

    def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("action") == "ping":
            self.send_json({"type": "pong"})
            return
        self.send_error("not_implemented", "Subscriptions are not available yet.")

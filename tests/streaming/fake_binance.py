"""A WebSocket server on 127.0.0.1 speaking Binance's ``!miniTicker@arr`` stream format."""

import json
import threading
import time
from dataclasses import dataclass, field

from websockets.sync.server import serve


def mini_ticker(pair: str, close: str, open_: str = "100", *, at_ms: int | None = None) -> dict:
    """One entry exactly as Binance sends it (numbers as strings, event time in ms)."""
    return {
        "e": "24hrMiniTicker",
        "E": at_ms if at_ms is not None else int(time.time() * 1000),
        "s": pair,
        "c": close,
        "o": open_,
        "h": close,
        "l": open_,
        "v": "10000.5",
        "q": "18000000.25",
    }


@dataclass
class FakeBinanceStream:
    """Each connection gets the next script: a list of messages (dicts/lists are sent as
    JSON, text as is); after its script a connection stays open unless ``close_after``."""

    scripts: list[list] = field(default_factory=list)
    close_after: bool = False
    paths: list[str] = field(default_factory=list)

    def start(self) -> "FakeBinanceStream":
        self._server = serve(self._handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def _handle(self, connection) -> None:
        self.paths.append(connection.request.path)
        script = self.scripts.pop(0) if self.scripts else []
        for message in script:
            connection.send(message if isinstance(message, str) else json.dumps(message))
        if self.close_after:
            return
        try:
            for _ in connection:  # hold the connection open until the client leaves
                pass
        except Exception:  # noqa: S110 - a client that vanishes ends the handler, nothing to report
            pass

"""A real HTTP server on 127.0.0.1 standing in for a provider (tests and benchmarks)."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    body: bytes = b"{}"
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


class FakeUpstream:
    """Serves scripted replies per path; the last reply of a script repeats."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.scripts: dict[str, list[Reply]] = {}
        self.hits: list[tuple[str, dict]] = []
        self.release = threading.Event()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                path = parts.path[len(upstream.prefix) :] if parts.path.startswith(upstream.prefix) else parts.path
                upstream.hits.append((path, parse_qs(parts.query)))
                script = upstream.scripts.get(path)
                reply = (script.pop(0) if len(script) > 1 else script[0]) if script else Reply(b"not found", 404)
                if reply.delay:
                    upstream.release.wait(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{self.prefix}"

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path] = list(replies)

    def hits_on(self, path: str) -> int:
        return sum(1 for hit_path, _ in self.hits if hit_path == path)

    def start(self) -> "FakeUpstream":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# Which setting points each provider at its stand-in, and the path prefix its API lives under.
BASE_URL_SETTINGS = {
    "coingecko": ("COINGECKO_BASE_URL", "/api/v3"),
    "coincap": ("COINCAP_BASE_URL", "/v3"),
    "coinpaprika": ("COINPAPRIKA_BASE_URL", "/v1"),
    "defillama_prices": ("DEFILLAMA_PRICES_BASE_URL", ""),
    "coinbase": ("COINBASE_BASE_URL", ""),
    "binance": ("BINANCE_BASE_URL", ""),
    "kraken": ("KRAKEN_BASE_URL", ""),
    "defillama": ("DEFILLAMA_BASE_URL", ""),
    "alternative_me": ("FNG_BASE_URL", ""),
    "coindesk": ("COINDESK_BASE_URL", ""),
}

UNREACHABLE = "http://127.0.0.1:9"


def refuse_every_provider(settings) -> None:
    """Point every provider (and news feed) a test did not start at a local port that
    refuses at once, with short timeouts, so a forgotten stand-in fails fast, offline."""
    settings.PROVIDER_TIMEOUT_S = 0.5
    settings.PROVIDER_BACKOFF_S = 0.0
    settings.ON_DEMAND_TIMEOUT_S = 0.5
    settings.COINGECKO_API_KEY = ""
    settings.COINCAP_API_KEY = "test-coincap-key"
    settings.COINDESK_API_KEY = "test-coindesk-key"
    for setting, _ in BASE_URL_SETTINGS.values():
        setattr(settings, setting, UNREACHABLE)
    settings.NEWS_RSS_FEEDS = [f"{UNREACHABLE}/rss"]

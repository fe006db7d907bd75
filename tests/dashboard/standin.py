"""One local HTTP server standing in for every provider the dashboard shows, with a
realistic amount of data: a dozen coins, candles of any interval, 30 days of hourly
history, DeFi, fear & greed, news. Each answer is built from the recorded fixture of
that endpoint (tests/fixtures/<provider>/), with the values varied, so the shapes are
the providers' own.

Providers live under path prefixes: /coingecko/api/v3, /binance, /llama, /fng, /news.
"""

import json
import math
import random
import threading
import time
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers"

# coin id, symbol, name, price; listed by market cap
COINS = [
    ("bitcoin", "btc", "Bitcoin", 96250.0),
    ("ethereum", "eth", "Ethereum", 3620.0),
    ("tether", "usdt", "Tether", 1.0),
    ("solana", "sol", "Solana", 238.4),
    ("binancecoin", "bnb", "BNB", 652.1),
    ("ripple", "xrp", "XRP", 1.42),
    ("dogecoin", "doge", "Dogecoin", 0.412),
    ("cardano", "ada", "Cardano", 0.98),
    ("tron", "trx", "TRON", 0.201),
    ("chainlink", "link", "Chainlink", 19.8),
    ("polkadot", "dot", "Polkadot", 8.74),
    ("shiba-inu", "shib", "Shiba Inu", 0.0000245),
]
MARKET_CAPS = [1.9e12, 4.36e11, 1.34e11, 1.13e11, 9.4e10, 8.1e10, 6.0e10, 3.4e10, 1.7e10, 1.24e10, 1.3e10, 1.4e10]
SUPPLY = 1_000_000_000
INTERVAL_S = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "4h": 14400, "1d": 86400}
HEADLINES = [
    ("Bitcoin rallies to a record as ETF inflows surge", "BTC"),
    ("Ethereum developers schedule the next network upgrade", "ETH"),
    ("Solana outage halts block production for hours", "SOL"),
    ("Regulators fine exchange over weak controls, shares slump", "BNB"),
    ("XRP gains after court win boosts confidence", "XRP"),
    ("Dogecoin slides as traders take profits", "DOGE"),
    ("Chainlink expands its oracle network to new chains", "LINK"),
    ("Cardano treasury vote passes with strong support", "ADA"),
    ("Hack drains lending protocol, losses mount", "ETH"),
    ("Bitcoin miners report steady output after halving", "BTC"),
]


def _fixture(path: str):
    return json.loads((FIXTURES / path).read_text())


def _walk(seed: str, count: int, last: float, volatility: float = 0.01) -> list[float]:
    """A deterministic random walk of ``count`` values ending near ``last``."""
    rng = random.Random(seed)
    values = [1.0]
    for _ in range(count - 1):
        values.append(values[-1] * (1 + rng.gauss(0, volatility) + 0.0004 * math.sin(len(values) / 9)))
    scale = last / values[-1]
    return [v * scale for v in values]


class Standin:
    def __init__(self) -> None:
        self.prices = {symbol: price for _, symbol, _, price in COINS}
        self.hits: list[str] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                standin.hits.append(parts.path)
                try:
                    status, body, content_type = standin.answer(parts.path, query)
                except Exception as exc:  # a bug here shows up as the provider failing
                    status, body, content_type = 500, repr(exc).encode(), "text/plain"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def settings(self) -> dict[str, str]:
        """Environment for a cryptodt process that should collect from this stand-in only."""
        return {
            "COINGECKO_BASE_URL": f"{self.url}/coingecko/api/v3",
            "BINANCE_BASE_URL": f"{self.url}/binance",
            "DEFILLAMA_BASE_URL": f"{self.url}/llama",
            "FNG_BASE_URL": f"{self.url}/fng",
            "COINDESK_BASE_URL": f"{self.url}/news",
            "COINDESK_API_KEY": "standin-key",
            "NEWS_RSS_FEEDS": f"{self.url}/rss/feed.xml",
        }

    def start(self) -> "Standin":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- answers ---------------------------------------------------------------------------

    def answer(self, path: str, query: dict) -> tuple[int, bytes, str]:
        routes = {
            "/coingecko/api/v3/coins/markets": self.coins_markets,
            "/coingecko/api/v3/coins/list": self.coins_list,
            "/coingecko/api/v3/global": self.global_stats,
            "/coingecko/api/v3/search/trending": lambda q: _fixture("coingecko/search_trending.json"),
            "/binance/api/v3/exchangeInfo": self.exchange_info,
            "/binance/api/v3/klines": self.klines,
            "/llama/protocols": self.protocols,
            "/llama/v2/chains": self.chains,
            "/fng/fng/": self.fear_greed,
            "/news/news/v1/article/list": self.news,
        }
        if path in routes:
            return 200, json.dumps(routes[path](query)).encode(), "application/json"
        if path.startswith("/coingecko/api/v3/coins/") and path.endswith("/ohlc"):
            return 200, json.dumps(self.ohlc(path.split("/")[-2], query)).encode(), "application/json"
        if path.startswith("/coingecko/api/v3/coins/") and path.endswith("/market_chart"):
            return 200, json.dumps(self.market_chart(path.split("/")[-2], query)).encode(), "application/json"
        if path == "/rss/feed.xml":
            return 200, (FIXTURES / "rss/feed.xml").read_bytes(), "application/rss+xml"
        return 404, b'{"error":"not found"}', "application/json"

    def coins_markets(self, query: dict) -> list[dict]:
        template = _fixture("coingecko/coins_markets.json")[0]
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        rows = []
        for rank, (coin_id, symbol, name, _) in enumerate(COINS, start=1):
            price = self.prices[symbol]
            change = random.Random(coin_id).uniform(-6, 6)
            row = deepcopy(template)
            cap = MARKET_CAPS[rank - 1]
            row.update(
                id=coin_id,
                symbol=symbol,
                name=name,
                image=f"https://coin-images.coingecko.com/coins/images/{rank}/large/{coin_id}.png",
                current_price=price,
                market_cap=round(cap),
                market_cap_rank=rank,
                fully_diluted_valuation=round(cap * 1.1),
                total_volume=round(cap * 0.04),
                high_24h=price * 1.03,
                low_24h=price * 0.97,
                price_change_24h=price * change / 100,
                price_change_percentage_24h=change,
                market_cap_change_24h=cap * change / 100,
                market_cap_change_percentage_24h=change,
                last_updated=now,
            )
            rows.append(row)
        return rows[: int(query.get("per_page", 250))]

    def coins_list(self, query: dict) -> list[dict]:
        return [{"id": coin_id, "symbol": symbol, "name": name} for coin_id, symbol, name, _ in COINS]

    def global_stats(self, query: dict) -> dict:
        payload = _fixture("coingecko/global.json")
        payload["data"]["total_market_cap"]["usd"] = 3.41e12
        payload["data"]["total_volume"]["usd"] = 1.28e11
        payload["data"]["market_cap_percentage"].update(btc=56.42, eth=12.71)
        payload["data"]["updated_at"] = int(time.time())
        return payload

    def exchange_info(self, query: dict) -> dict:
        payload = _fixture("binance/exchange_info.json")
        template = payload["symbols"][0]
        payload["serverTime"] = int(time.time() * 1000)
        payload["symbols"] = [
            {**template, "symbol": f"{symbol.upper()}USDT", "baseAsset": symbol.upper(), "quoteAsset": "USDT"}
            for _, symbol, _, _ in COINS
            if symbol != "usdt"
        ]
        return payload

    def klines(self, query: dict) -> list[list]:
        step = INTERVAL_S[query["interval"]]
        limit = min(int(query.get("limit", 500)), 1000)
        symbol = query["symbol"].removesuffix("USDT").lower()
        now = int(time.time()) // step * step
        opens = [now - (limit - 1 - i) * step for i in range(limit)]
        closes = _walk(f"{symbol}{step}", limit + 1, self.prices.get(symbol, 1.0), 0.004 * math.sqrt(step / 3600))
        rng = random.Random(f"{symbol}{step}wicks")
        rows = []
        for i, t in enumerate(opens):
            o, c = closes[i], closes[i + 1]
            high, low = max(o, c) * (1 + rng.uniform(0, 0.004)), min(o, c) * (1 - rng.uniform(0, 0.004))
            volume = rng.uniform(500, 2000)
            rows.append(
                [t * 1000, f"{o:.8f}", f"{high:.8f}", f"{low:.8f}", f"{c:.8f}", f"{volume:.8f}", (t + step) * 1000 - 1]
                + [f"{volume * c:.8f}", 1000, f"{volume / 2:.8f}", f"{volume * c / 2:.8f}", "0"]
            )
        return rows

    def ohlc(self, coin_id: str, query: dict) -> list[list]:
        """CoinGecko's /coins/{id}/ohlc: [ms, open, high, low, close], 4-hourly for 30 days."""
        symbol = next(s for c, s, _, _ in COINS if c == coin_id)
        candles = self.klines({"symbol": symbol.upper(), "interval": "4h", "limit": "180"})
        return [[row[0], float(row[1]), float(row[2]), float(row[3]), float(row[4])] for row in candles]

    def market_chart(self, coin_id: str, query: dict) -> dict:
        symbol = next(s for c, s, _, _ in COINS if c == coin_id)
        days = int(query.get("days", 30))
        hours = days * 24
        now = int(time.time()) // 3600 * 3600
        prices = _walk(f"{coin_id}history", hours, self.prices[symbol], 0.006)
        times = [(now - (hours - 1 - i) * 3600) * 1000 for i in range(hours)]
        return {
            "prices": [[t, p] for t, p in zip(times, prices, strict=True)],
            "market_caps": [[t, p * SUPPLY] for t, p in zip(times, prices, strict=True)],
            "total_volumes": [[t, p * SUPPLY * 0.04] for t, p in zip(times, prices, strict=True)],
        }

    def protocols(self, query: dict) -> list[dict]:
        template = _fixture("defillama/protocols.json")[0]
        names = [("Lido", "Liquid Staking"), ("Aave", "Lending"), ("EigenLayer", "Restaking"), ("Uniswap", "Dexes")]
        names += [("Maker", "CDP"), ("Ethena", "Basis Trading"), ("Pendle", "Yield"), ("Curve", "Dexes")]
        rows = []
        for i, (name, category) in enumerate(names):
            tvl = 3.2e10 / (i + 1) ** 0.8
            slug = name.lower()
            rows.append(
                {
                    **deepcopy(template),
                    "id": str(100 + i),
                    "name": name,
                    "slug": slug,
                    "category": category,
                    "tvl": tvl,
                    "chainTvls": {"Ethereum": tvl},
                    "chains": ["Ethereum"],
                    "change_1d": random.Random(slug).uniform(-4, 4),
                }
            )
        return rows

    def chains(self, query: dict) -> list[dict]:
        template = _fixture("defillama/chains.json")[0]
        chains = [("Ethereum", "ETH", 6.6e10), ("Solana", "SOL", 9.1e9), ("Tron", "TRX", 7.4e9), ("Base", None, 3.8e9)]
        chains += [("BSC", "BNB", 5.2e9), ("Arbitrum", "ARB", 2.9e9)]
        return [{**template, "name": n, "tokenSymbol": s, "tvl": tvl, "gecko_id": None} for n, s, tvl in chains]

    def fear_greed(self, query: dict) -> dict:
        payload = _fixture("alternative_me/fng.json")
        limit = int(query.get("limit", 1)) or 30
        today = int(time.time()) // 86400 * 86400
        values = [int(v) for v in _walk("fng", limit, 72, 0.08)]
        labels = [(25, "Extreme Fear"), (45, "Fear"), (55, "Neutral"), (75, "Greed"), (101, "Extreme Greed")]
        payload["data"] = [
            {
                "value": str(max(1, min(99, v))),
                "value_classification": next(label for top, label in labels if v < top),
                "timestamp": str(today - i * 86400),
            }
            for i, v in enumerate(reversed(values))
        ]
        return payload

    def news(self, query: dict) -> dict:
        """CoinDesk's Data API /news/v1/article/list."""
        payload = _fixture("coindesk/news.json")
        template = payload["Data"][0]
        now = int(time.time())
        payload["Data"] = [
            {
                **deepcopy(template),
                "ID": 42000000 + i,
                "GUID": f"https://example-news.test/?p={i}",
                "PUBLISHED_ON": now - i * 2400,
                "CREATED_ON": now - i * 2400,
                "TITLE": title,
                "URL": f"https://example-news.test/story-{i}/",
                "KEYWORDS": f"{symbol}|Market",
                "CATEGORY_DATA": [{"TYPE": "122", "ID": 1, "NAME": symbol, "CATEGORY": symbol}],
            }
            for i, (title, symbol) in enumerate(HEADLINES)
        ]
        return payload

"""Coinbase Exchange public market data, keyless
(https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products).

- ``/products``: every product; ``{"id": "BTC-USD", "base_currency", "quote_currency", "status"}``.
- ``/products/{id}/ticker``: ``{"ask", "bid", "volume", "trade_id", "price", "size", "time"}``,
  numbers as strings, ``volume`` in the base currency over 24 h.
- ``/products/{id}/candles``: ``[[time, low, high, open, close, volume], ...]`` (note the
  order: low before high, open after), newest first, at most 300 per request; ``granularity``
  is one of 60, 300, 900, 3600, 21600, 86400 seconds. There is no 30-minute slice: 30m bars
  are two 15-minute bars merged (``merge_pairs``), exact for open, high, low, close and volume.
Public endpoints allow about 10 requests a second per IP.
"""

from datetime import UTC, datetime, timedelta

from providers.base import Provider
from providers.errors import NotSupported
from providers.payload import Checker
from providers.records import Candle, CoinRef, PricePoint, Quote

GRANULARITY = {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86400}
MAX_CANDLES = 300
# Built from two 15-minute bars each (Coinbase has no 30-minute granularity).
MERGED = {"30m": ("15m", timedelta(minutes=30))}
MAX_TICKERS = 50  # one request per coin: the price cycle asks for the top few only


class Coinbase(Provider):
    name = "coinbase"
    base_url_setting = "COINBASE_BASE_URL"
    capabilities = ("prices", "candles", "price_history", "exchange_pairs")

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        listed = [coin for coin in coins if coin.coinbase_pair][:MAX_TICKERS]
        if vs.lower() != "usd" or not listed:
            raise NotSupported(self.name, "ticker", "no Coinbase USD product for these coins")
        quotes = []
        for coin in listed:
            payload = self.get_json("ticker", f"/products/{coin.coinbase_pair}/ticker", timeout=timeout)
            quotes.append(self.parse("ticker", parse_ticker, payload, coin))
        return quotes

    def candles(
        self,
        coin: CoinRef,
        *,
        interval: str,
        limit: int,
        start: datetime | None = None,
        end: datetime | None = None,
        timeout: float | None = None,
    ) -> list[Candle]:
        if not coin.coinbase_pair or interval not in {*GRANULARITY, *MERGED}:
            raise NotSupported(self.name, "candles", f"no product for {coin.symbol} or interval {interval}")
        if interval in MERGED:
            finer, width = MERGED[interval]
            end = end or datetime.now(UTC)
            # From a bar boundary, so the first merged bar has both halves.
            start = aligned(start or end - width * min(limit, MAX_CANDLES), width)
            finer_bars = self.candles(coin, interval=finer, limit=0, start=start, end=end, timeout=timeout)
            merged = merge_bars(finer_bars, width)
            return merged[-limit:] if limit else merged
        step = timedelta(seconds=GRANULARITY[interval])
        end = end or datetime.now(UTC)
        start = start or end - step * min(limit, MAX_CANDLES)
        bars: dict[datetime, Candle] = {}
        # A window of more than 300 bars is rejected: walk forward 300 bars at a time.
        window_start = start
        while window_start < end:
            window_end = min(window_start + step * MAX_CANDLES, end)
            params = {
                "granularity": GRANULARITY[interval],
                "start": window_start.isoformat(),
                "end": window_end.isoformat(),
            }
            payload = self.get_json(
                "candles", f"/products/{coin.coinbase_pair}/candles", params=params, timeout=timeout
            )
            for bar in self.parse("candles", parse_candles, payload):
                bars[bar.t] = bar
            window_start = window_end
        ordered = sorted(bars.values(), key=lambda c: c.t)
        return ordered[-limit:] if limit else ordered

    def price_history(self, coin: CoinRef, *, days: int, vs: str, timeout: float | None) -> list[PricePoint]:
        if vs.lower() != "usd":
            raise NotSupported(self.name, "candles", f"vs {vs}")
        end = datetime.now(UTC)
        candles = self.candles(
            coin, interval="1d", limit=days, start=end - timedelta(days=days), end=end, timeout=timeout
        )
        return [PricePoint(t=c.t, price=c.close) for c in candles]

    def exchange_pairs(self, *, timeout: float | None) -> dict[str, str]:
        payload = self.get_json("products", "/products", timeout=timeout)
        return self.parse("products", parse_products, payload)


def parse_ticker(payload, coin: CoinRef) -> Quote:
    check = Checker("coinbase", "ticker")
    body = check.dict(payload, "body")
    what = coin.coinbase_pair
    price = check.price(check.field(body, "price", what), f"{what}.price")
    base_volume = check.amount(body.get("volume"), f"{what}.volume")
    return Quote(
        coin_id=coin.coin_id,
        symbol=coin.symbol.upper(),
        price=price,
        as_of=check.iso(check.field(body, "time", what), f"{what}.time"),
        volume_24h=base_volume * price if base_volume is not None else None,
        source="coinbase",
        pair=coin.coinbase_pair,
        target="USD",
        bid=check.non_negative(body.get("bid"), f"{what}.bid"),
        ask=check.non_negative(body.get("ask"), f"{what}.ask"),
        base_volume=base_volume,
    )


def aligned(t: datetime, width: timedelta) -> datetime:
    seconds = int(width.total_seconds())
    return datetime.fromtimestamp(int(t.timestamp()) // seconds * seconds, tz=UTC)


def merge_bars(bars: list[Candle], width: timedelta) -> list[Candle]:
    """Finer bars (oldest first) into bars of ``width`` aligned to the epoch. A slice without
    trades has no bar upstream, so a merged bar covers the finer bars that exist."""
    groups: dict[datetime, list[Candle]] = {}
    for bar in bars:
        groups.setdefault(aligned(bar.t, width), []).append(bar)
    merged = []
    for t, group in sorted(groups.items()):
        volumes = [b.volume for b in group]
        merged.append(
            Candle(
                t=t,
                open=group[0].open,
                high=max(b.high for b in group),
                low=min(b.low for b in group),
                close=group[-1].close,
                volume=None if None in volumes else sum(volumes),
            )
        )
    return merged


def parse_candles(payload) -> list[Candle]:
    check = Checker("coinbase", "candles")
    candles = []
    for row in check.list(payload, "body", allow_empty=True):
        row = check.list(row, "candle")
        if len(row) != 6:
            raise check.fail(f"candle has {len(row)} fields, expected 6")
        t, low, high, open_, close, volume = row
        candles.append(
            Candle(
                t=check.unix(t, "candle time"),
                open=check.price(open_, "open"),
                high=check.price(high, "high"),
                low=check.price(low, "low"),
                close=check.price(close, "close"),
                volume=check.non_negative(volume, "volume"),
            )
        )
    return candles


def parse_products(payload) -> dict[str, str]:
    check = Checker("coinbase", "products")
    pairs = {}
    for item in check.list(payload, "body"):
        item = check.dict(item, "product")
        if item.get("quote_currency") != "USD" or item.get("status", "online") != "online":
            continue
        if item.get("trading_disabled"):
            continue
        pairs[check.text(item, "base_currency", "product").upper()] = check.text(item, "id", "product")
    return pairs

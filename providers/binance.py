"""Binance spot market data (https://developers.binance.com/docs/binance-spot-api-docs/rest-api).

USDT pairs stand in for USD. Binance counts request weight per IP (6,000 a minute) and bans
repeat offenders with 418, so every call states its weight and the minute's usage Binance
reports in ``X-MBX-USED-WEIGHT-1M`` is folded into our own count.
"""

import json
from datetime import UTC, datetime, timedelta

import requests

from providers import budget
from providers.base import Provider
from providers.errors import NotSupported, UpstreamError
from providers.payload import Checker
from providers.records import Candle, CoinRef, PricePoint, Quote

INTERVALS = {"1m", "5m", "15m", "30m", "1h", "4h", "1d"}
MAX_KLINES = 1000  # bars per klines answer
ALL_MARKET_WEIGHT = 80
INVALID_SYMBOL = '"code":-1121'


def ticker_weight(symbol_count: int) -> int:
    """Weight of ticker/24hr for ``symbols=[...]`` of this size (documented steps)."""
    if symbol_count <= 20:
        return 2
    if symbol_count <= 100:
        return 40
    return ALL_MARKET_WEIGHT


class Binance(Provider):
    name = "binance"
    base_url_setting = "BINANCE_BASE_URL"
    capabilities = ("prices", "candles", "price_history", "exchange_pairs")

    def observe_response(self, response: requests.Response) -> None:
        used = response.headers.get("X-MBX-USED-WEIGHT-1M")
        if used and used.isdigit():
            budget.observe_used(self.name, int(used))

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        listed = [coin for coin in coins if coin.binance_pair]
        if vs.lower() != "usd" or not listed:
            raise NotSupported(self.name, "ticker/24hr", "no USDT pair for these coins")
        payload = None
        if len(listed) <= 100:
            symbols = json.dumps([coin.binance_pair for coin in listed], separators=(",", ":"))
            try:
                payload = self.get_json(
                    "ticker/24hr",
                    "/api/v3/ticker/24hr",
                    params={"symbols": symbols},
                    weight=ticker_weight(len(listed)),
                    timeout=timeout,
                )
            except UpstreamError as exc:
                # One delisted pair fails the whole batch (-1121 Invalid symbol); the
                # all-market call still answers for the others.
                if INVALID_SYMBOL not in exc.reason:
                    raise
        if payload is None:
            # One all-market call (weight 80) is cheaper than any batch of over 100 symbols.
            payload = self.get_json("ticker/24hr", "/api/v3/ticker/24hr", weight=ALL_MARKET_WEIGHT, timeout=timeout)
        return self.parse("ticker/24hr", parse_ticker_24hr, payload, listed)

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
        if not coin.binance_pair or interval not in INTERVALS:
            raise NotSupported(self.name, "klines", f"no pair for {coin.symbol} or interval {interval}")
        params: dict = {"symbol": coin.binance_pair, "interval": interval, "limit": min(limit, MAX_KLINES)}
        if start:
            params["startTime"] = int(start.timestamp() * 1000)
        if end:
            params["endTime"] = int(end.timestamp() * 1000)
        payload = self.get_json("klines", "/api/v3/klines", params=params, weight=2, timeout=timeout)
        return self.parse("klines", parse_klines, payload)

    def price_history(self, coin: CoinRef, *, days: int, vs: str, timeout: float | None) -> list[PricePoint]:
        """Daily closes: a fallback that serves history without market cap or volume in USD."""
        if vs.lower() != "usd":
            raise NotSupported(self.name, "klines", f"vs {vs}")
        if days <= MAX_KLINES:
            candles = self.candles(coin, interval="1d", limit=max(days, 1), timeout=timeout)
            return [PricePoint(t=c.t, price=c.close) for c in candles]
        # Longer than one answer (Binance's daily bars go back to 2017): page forward by startTime.
        cursor = datetime.now(UTC) - timedelta(days=days)
        bars: dict = {}
        while True:
            page = self.candles(coin, interval="1d", limit=MAX_KLINES, start=cursor, timeout=timeout)
            bars.update((c.t, c) for c in page)
            if len(page) < MAX_KLINES:
                break
            cursor = page[-1].t + timedelta(days=1)
        return [PricePoint(t=t, price=bars[t].close) for t in sorted(bars)]

    def exchange_pairs(self, *, timeout: float | None) -> dict[str, str]:
        payload = self.get_json("exchangeInfo", "/api/v3/exchangeInfo", weight=20, timeout=timeout)
        return self.parse("exchangeInfo", parse_exchange_info, payload)


def parse_ticker_24hr(payload, coins: list[CoinRef]) -> list[Quote]:
    check = Checker("binance", "ticker/24hr")
    rows = [payload] if isinstance(payload, dict) else check.list(payload, "body")
    by_symbol = {check.dict(row, "ticker").get("symbol"): row for row in rows}
    quotes = []
    for coin in coins:
        row = by_symbol.get(coin.binance_pair)
        if row is None:
            continue
        what = coin.binance_pair
        quotes.append(
            Quote(
                coin_id=coin.coin_id,
                symbol=coin.symbol.upper(),
                price=check.price(check.field(row, "lastPrice", what), f"{what}.lastPrice"),
                as_of=check.unix(check.field(row, "closeTime", what), f"{what}.closeTime", millis=True),
                volume_24h=check.amount(row.get("quoteVolume"), f"{what}.quoteVolume"),
                change_24h_pct=check.decimal(
                    row.get("priceChangePercent"), f"{what}.priceChangePercent", optional=True
                ),
                source="binance",
                pair=coin.binance_pair,
                target="USDT",
                bid=check.non_negative(row.get("bidPrice"), f"{what}.bidPrice"),
                ask=check.non_negative(row.get("askPrice"), f"{what}.askPrice"),
                base_volume=check.non_negative(row.get("volume"), f"{what}.volume"),
            )
        )
    return quotes


def parse_klines(payload) -> list[Candle]:
    check = Checker("binance", "klines")
    candles = []
    for row in check.list(payload, "body", allow_empty=True):
        row = check.list(row, "kline")
        if len(row) < 6:
            raise check.fail(f"kline has {len(row)} fields, expected 12")
        candles.append(
            Candle(
                t=check.unix(row[0], "open time", millis=True),
                open=check.price(row[1], "open"),
                high=check.price(row[2], "high"),
                low=check.price(row[3], "low"),
                close=check.price(row[4], "close"),
                volume=check.non_negative(row[5], "volume"),
            )
        )
    return candles


def parse_exchange_info(payload) -> dict[str, str]:
    check = Checker("binance", "exchangeInfo")
    symbols = check.list(check.field(check.dict(payload, "body"), "symbols", "body"), "symbols")
    pairs = {}
    for item in symbols:
        item = check.dict(item, "symbol")
        if item.get("status") == "TRADING" and item.get("quoteAsset") == "USDT":
            pairs[check.text(item, "baseAsset", "symbol").upper()] = check.text(item, "symbol", "symbol")
    return pairs

"""Kraken public market data (https://docs.kraken.com/api/docs/rest-api/get-ticker-information).

Kraken answers 200 with an ``error`` list when something is wrong, and names its older
assets with X/Z prefixes: XXBTZUSD is BTC/USD (Kraken calls bitcoin XBT), XETHZUSD is
ETH/USD, XXDGZUSD... DOGE is XDG. Newer assets have plain names (SOLUSD).
"""

from datetime import datetime, timedelta
from decimal import Decimal

from providers.base import Provider
from providers.errors import NotSupported, UpstreamError
from providers.payload import Checker, now
from providers.records import Candle, CoinRef, PricePoint, Quote

INTERVAL_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440}
# Kraken's own names for assets whose ticker symbol differs everywhere else.
KRAKEN_ALIASES = {"XBT": "BTC", "XDG": "DOGE"}
USD_QUOTES = {"USD", "ZUSD"}
MAX_BARS = 720  # Kraken's OHLC answers at most this many bars
MAX_PAGES = 10


class Kraken(Provider):
    name = "kraken"
    base_url_setting = "KRAKEN_BASE_URL"
    capabilities = ("prices", "candles", "price_history", "exchange_pairs")

    def check_error_body(self, endpoint: str, payload) -> None:
        errors = payload.get("error") if isinstance(payload, dict) else None
        if errors:
            raise UpstreamError(
                self.name, endpoint, f"Kraken error: {'; '.join(map(str, errors))[:200]}", retryable=False
            )

    def quotes(self, coins: list[CoinRef], *, vs: str, timeout: float | None) -> list[Quote]:
        listed = [coin for coin in coins if coin.kraken_pair]
        if vs.lower() != "usd" or not listed:
            raise NotSupported(self.name, "Ticker", "no Kraken USD pair for these coins")
        payload = self.get_json(
            "Ticker", "/0/public/Ticker", params={"pair": ",".join(c.kraken_pair for c in listed)}, timeout=timeout
        )
        return self.parse("Ticker", parse_ticker, payload, listed)

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
        if not coin.kraken_pair or interval not in INTERVAL_MINUTES:
            raise NotSupported(self.name, "OHLC", f"no pair for {coin.symbol} or interval {interval}")
        params: dict = {"pair": coin.kraken_pair, "interval": INTERVAL_MINUTES[interval]}
        if start:
            params["since"] = int(start.timestamp())
        bars: dict = {}
        # At most 720 bars an answer; `last` is the `since` of the next page.
        for _ in range(MAX_PAGES):
            payload = self.get_json("OHLC", "/0/public/OHLC", params=params, timeout=timeout)
            page, last = self.parse("OHLC", parse_ohlc_page, payload)
            bars.update((c.t, c) for c in page)
            if len(page) < MAX_BARS or last is None or last == params.get("since") or (end and page[-1].t >= end):
                break
            params = {**params, "since": last}
        candles = sorted(bars.values(), key=lambda c: c.t)
        if end:
            candles = [c for c in candles if c.t <= end]
        return candles[-limit:]

    def price_history(self, coin: CoinRef, *, days: int, vs: str, timeout: float | None) -> list[PricePoint]:
        """Daily closes (no market cap or volume in USD): where CoinGecko's free year ends."""
        if vs.lower() != "usd":
            raise NotSupported(self.name, "OHLC", f"vs {vs}")
        start = now() - timedelta(days=days)
        candles = self.candles(coin, interval="1d", limit=days, start=start, timeout=timeout)
        return [PricePoint(t=c.t, price=c.close) for c in candles]

    def exchange_pairs(self, *, timeout: float | None) -> dict[str, str]:
        payload = self.get_json("AssetPairs", "/0/public/AssetPairs", timeout=timeout)
        return self.parse("AssetPairs", parse_asset_pairs, payload)


def _result(check: Checker, payload) -> dict:
    return check.dict(check.field(check.dict(payload, "body"), "result", "body"), "result")


def parse_ticker(payload, coins: list[CoinRef]) -> list[Quote]:
    check = Checker("kraken", "Ticker")
    result = _result(check, payload)
    fetched_at = now()
    quotes = []
    for coin in coins:
        row = result.get(coin.kraken_pair)
        if row is None and len(coins) == 1 and len(result) == 1:
            # Asked by altname (XBTUSDT), answered under the canonical name: same pair.
            row = next(iter(result.values()))
        if row is None:
            continue
        row = check.dict(row, coin.kraken_pair)
        last = check.list(check.field(row, "c", coin.kraken_pair), f"{coin.kraken_pair}.c")
        volume = check.list(row.get("v") or [None, None], f"{coin.kraken_pair}.v")
        price = check.price(last[0], f"{coin.kraken_pair}.c[0]")
        opening = check.decimal(row.get("o"), f"{coin.kraken_pair}.o", optional=True)
        base_volume = check.amount(volume[1], f"{coin.kraken_pair}.v[1]")
        quotes.append(
            Quote(
                coin_id=coin.coin_id,
                symbol=coin.symbol.upper(),
                price=price,
                as_of=fetched_at,
                volume_24h=base_volume * price if base_volume is not None else None,
                # "o" is today's opening (UTC midnight), not 24 h ago: close enough to
                # show a direction, and better than nothing on the last fallback.
                change_24h_pct=((price - opening) / opening * 100).quantize(Decimal("0.0001")) if opening else None,
                source="kraken",
                pair=coin.kraken_pair,
                target="USD",
                bid=_top(check, row.get("b"), f"{coin.kraken_pair}.b"),
                ask=_top(check, row.get("a"), f"{coin.kraken_pair}.a"),
                base_volume=base_volume,
            )
        )
    return quotes


def _top(check: Checker, value, what: str) -> Decimal | None:
    """The price of Kraken's [price, whole lot volume, lot volume] book top; None if not sent."""
    if value is None:
        return None
    return check.non_negative(check.list(value, what)[0], f"{what}[0]")


def parse_ohlc(payload) -> list[Candle]:
    return parse_ohlc_page(payload)[0]


def parse_ohlc_page(payload) -> tuple[list[Candle], int | None]:
    check = Checker("kraken", "OHLC")
    result = _result(check, payload)
    last = check.integer(result.get("last"), "last", optional=True)
    series = [value for key, value in result.items() if key != "last"]
    if len(series) != 1:
        raise check.fail(f"expected one pair in result, got {len(series)}")
    candles = []
    for row in check.list(series[0], "bars", allow_empty=True):
        row = check.list(row, "bar")
        if len(row) < 7:
            raise check.fail(f"bar has {len(row)} fields, expected 8")
        candles.append(
            Candle(
                t=check.unix(row[0], "bar time"),
                open=check.price(row[1], "open"),
                high=check.price(row[2], "high"),
                low=check.price(row[3], "low"),
                close=check.price(row[4], "close"),
                volume=check.non_negative(row[6], "volume"),
            )
        )
    return candles, last


def parse_asset_pairs(payload) -> dict[str, str]:
    check = Checker("kraken", "AssetPairs")
    pairs = {}
    for pair_name, info in _result(check, payload).items():
        info = check.dict(info, pair_name)
        if info.get("status", "online") != "online":
            continue
        wsname = info.get("wsname") or ""
        base, _, quote = wsname.partition("/")
        if quote not in USD_QUOTES or not base:
            continue
        symbol = KRAKEN_ALIASES.get(base, base).upper()
        pairs.setdefault(symbol, pair_name)
    return pairs

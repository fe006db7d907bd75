"""CoinGecko's past prices into records: 4-hour OHLC bars, coins/{id}/ohlc
(https://docs.coingecko.com/v3.0.1/reference/coins-id-ohlc), and price points with caps and
volumes, coins/{id}/market_chart (https://docs.coingecko.com/v3.0.1/reference/coins-id-market-chart)."""

from providers.payload import Checker
from providers.records import Candle, PricePoint


def parse_ohlc(payload) -> list[Candle]:
    check = Checker("coingecko", "coins/ohlc")
    candles = []
    for row in check.list(payload, "body"):
        row = check.list(row, "bar")
        if len(row) < 5:
            raise check.fail(f"bar has {len(row)} fields, expected 5")
        candles.append(
            Candle(
                t=check.unix(row[0], "bar time", millis=True),
                open=check.price(row[1], "open"),
                high=check.price(row[2], "high"),
                low=check.price(row[3], "low"),
                close=check.price(row[4], "close"),
            )
        )
    return candles


def parse_market_chart(payload, *, vs: str) -> list[PricePoint]:
    check = Checker("coingecko", "coins/market_chart")
    body = check.dict(payload, "body")
    prices = check.list(check.field(body, "prices", "body"), "prices")
    caps = {row[0]: row[1] for row in check.list(body.get("market_caps") or [], "market_caps", allow_empty=True)}
    volumes = {row[0]: row[1] for row in check.list(body.get("total_volumes") or [], "total_volumes", allow_empty=True)}
    points = []
    for row in prices:
        row = check.list(row, "price point")
        points.append(
            PricePoint(
                t=check.unix(row[0], "point time", millis=True),
                price=check.price(row[1], "price", vs=vs),
                market_cap=check.amount(caps.get(row[0]), "market_cap"),
                volume_24h=check.amount(volumes.get(row[0]), "total_volume"),
            )
        )
    return points

"""/coins/{id}/ohlc: CoinGecko's candle bodies from stored candles.

CoinGecko picks the body from ``days``: 30 minutes for 1-2 days, 4 hours for 3-30 days, 4
days beyond, and stamps each bar with its close time
(https://docs.coingecko.com/reference/coins-id-ohlc). Stored candles carry their open time.
"""

from datetime import UTC, datetime, timedelta

from cryptodt.times import parse_iso
from markets import selectors
from markets.api.coingecko.selectors import coin, unix_ms

_WIDTH_MS = {"30m": 1_800_000, "1h": 3_600_000, "1d": 86_400_000}


def ohlc_interval(*, days: int) -> tuple[str, int]:
    """The stored interval a body is built from and how many stored bars make one: the 30m
    bars as they are, 4h from four 1h bars, 4d from four 1d bars."""
    if days <= 2:
        return "30m", 1
    return ("1h", 4) if days <= 30 else ("1d", 4)


def ohlc(*, coin_id: str, days: int) -> list[list]:
    interval, group = ohlc_interval(days=days)
    start = datetime.now(UTC) - timedelta(days=days)
    bars = selectors.candles(coin=coin(coin_id=coin_id), interval=interval, start=start, end=None, limit=1000)
    rows = [[unix_ms(parse_iso(b["t"])), b["open"], b["high"], b["low"], b["close"]] for b in bars["data"]]
    # Buckets aligned to UTC (00:00, 04:00… for 4h; every fourth day since the epoch for 4d).
    width = group * _WIDTH_MS[interval]
    merged: dict[int, list] = {}
    for t, o, h, low, c in rows:
        bucket = t - t % width
        if bucket not in merged:
            merged[bucket] = [bucket, o, h, low, c]
        else:
            bar = merged[bucket]
            bar[2], bar[3], bar[4] = max(bar[2], h), min(bar[3], low), c
    return [[bucket + width, *prices] for bucket, *prices in merged.values()]

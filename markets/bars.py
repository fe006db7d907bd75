"""Hourly bars from price points, and which hours the roll-up has reached: pure
computation and reads, shared by the roll-up service and the history selectors."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from markets.models import HourlyPrice, PriceSnapshot, RollupState
from providers.records import PricePoint

ROLLUP_STATE = "prices"


def hour_of(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def bars_from_points(*, coin_id: int, vs: str, points: Iterable[PricePoint], source: str) -> list[HourlyPrice]:
    """Group points (any order) into hourly OHLC bars, oldest first."""
    by_hour: dict[datetime, list[PricePoint]] = {}
    for point in points:
        by_hour.setdefault(hour_of(point.t), []).append(point)
    bars = []
    for hour in sorted(by_hour):
        group = sorted(by_hour[hour], key=lambda p: p.t)
        prices = [p.price for p in group]
        bars.append(
            HourlyPrice(
                coin_id=coin_id,
                vs=vs,
                t=hour,
                open=prices[0],
                high=max(prices),
                low=min(prices),
                close=prices[-1],
                market_cap=next((p.market_cap for p in reversed(group) if p.market_cap is not None), None),
                volume_24h=next((p.volume_24h for p in reversed(group) if p.volume_24h is not None), None),
                samples=len(group),
                source=source,
            )
        )
    return bars


def rolled_until() -> datetime | None:
    state = RollupState.objects.filter(name=ROLLUP_STATE).first()
    return state.rolled_until if state else None


def hourly_bars_from_raw(*, coin_id: int, vs: str, since: datetime) -> Sequence[HourlyPrice]:
    """Bars computed on the fly for hours not rolled up yet (the newest hour or two)."""
    rows = list(
        PriceSnapshot.objects.filter(coin_id=coin_id, vs=vs, t__gte=since).values_list(
            "t", "price", "market_cap", "volume_24h", "source"
        )
    )
    points = [PricePoint(t=t, price=p, market_cap=m, volume_24h=vol) for t, p, m, vol, _ in rows]
    source = rows[-1][4] if rows else ""
    return bars_from_points(coin_id=coin_id, vs=vs, points=points, source=source)

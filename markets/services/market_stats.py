"""The coins/markets extras (24h range and changes, FDV, ATH/ATL) of a market listing.

Runs inside ingest.ingest_market_rows' transaction; values are the provider's own, checked
like every stored money value, None where the provider sent null.
"""

from collections.abc import Sequence

from markets.models import Coin, MarketStats
from providers import validation as v
from providers.records import MarketRow

_BATCH = 500


def store(*, rows: Sequence[MarketRow], coins: dict[str, Coin], source: str) -> None:
    _store([_market_stats(coins[row.coin_id], row, source) for row in rows])


_STATS_MONEY = {
    "fully_diluted_valuation": False,
    "high_24h": False,
    "low_24h": False,
    "price_change_24h": True,
    "market_cap_change_24h": True,
    "market_cap_change_24h_pct": True,
    "ath": False,
    "ath_change_pct": True,
    "atl": False,
    "atl_change_pct": True,
}


def _market_stats(coin: Coin, row: MarketRow, source: str) -> MarketStats:
    what = f"{coin.coin_id} ({source})"
    values = {
        name: v.money(getattr(row, name, None), f"{what} {name}", signed=signed)
        for name, signed in _STATS_MONEY.items()
    }
    dates = {name: getattr(row, name, None) for name in ("ath_date", "atl_date")}
    for name, value in dates.items():
        if value is not None and (value.tzinfo is None or value.year < 2000):
            raise v.InvalidRecord(f"{what} {name} {value!r}")
    return MarketStats(
        coin=coin, vs=row.vs.lower()[:10], t=v.moment(row.as_of, f"{what} time"), source=source[:32], **values, **dates
    )


def _store(rows: list[MarketStats]) -> None:
    """The newest stats per coin and currency; an older row never replaces a newer one."""
    rows = list({(r.coin_id, r.vs): r for r in rows}.values())
    held = {
        (coin_id, vs): t
        for coin_id, vs, t in MarketStats.objects.filter(coin_id__in={r.coin_id for r in rows}).values_list(
            "coin_id", "vs", "t"
        )
    }
    rows = [r for r in rows if (r.coin_id, r.vs) not in held or r.t >= held[(r.coin_id, r.vs)]]
    fields = [f.name for f in MarketStats._meta.concrete_fields if f.name not in ("id", "coin", "vs")]
    MarketStats.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["coin", "vs"], update_fields=fields, batch_size=_BATCH
    )

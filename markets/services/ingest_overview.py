"""Idempotent upserts of the market-wide snapshots: global figures and the trending list.

Validated whole before the transaction, as in ``ingest``; the cache versions of the data
kinds written are bumped after it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import transaction

from cryptodt import data_cache as cache
from markets.models import GlobalSnapshot, TrendingSnapshot
from markets.services import registry
from providers import validation as v
from providers.records import GlobalStats, TrendingEntry


def ingest_global(*, stats: GlobalStats, source: str) -> int:
    row = GlobalSnapshot(
        t=v.moment(stats.as_of, "global time"),
        total_market_cap_usd=v.money(stats.total_market_cap_usd, "total market cap", positive=True),
        total_volume_usd=v.money(stats.total_volume_usd, "total volume"),
        btc_dominance_pct=v.money(stats.btc_dominance_pct, "btc dominance"),
        eth_dominance_pct=v.money(stats.eth_dominance_pct, "eth dominance"),
        active_cryptocurrencies=stats.active_cryptocurrencies,
        market_cap_change_24h_pct=v.money(stats.market_cap_change_24h_pct, "market cap change", signed=True),
        upcoming_icos=_count(stats.upcoming_icos, "upcoming icos"),
        ongoing_icos=_count(stats.ongoing_icos, "ongoing icos"),
        ended_icos=_count(stats.ended_icos, "ended icos"),
        markets=_count(stats.markets, "markets"),
        volume_change_24h_pct=v.money(stats.volume_change_24h_pct, "volume change", signed=True),
        source=source,
    )
    for pct in (row.btc_dominance_pct, row.eth_dominance_pct):
        if pct is not None and pct > 100:
            raise v.InvalidRecord(f"dominance above 100%: {pct}")
    fields = [f.name for f in GlobalSnapshot._meta.concrete_fields if f.name not in ("id", "t")]
    with transaction.atomic():
        GlobalSnapshot.objects.bulk_create([row], update_conflicts=True, unique_fields=["t"], update_fields=fields)
    cache.bump("market")
    return 1


def _count(value: int | None, what: str) -> int | None:
    if value is not None and not 0 <= value < 2**31:
        raise v.InvalidRecord(f"{what} is {value}")
    return value


_TRENDING_TEXT = (
    "slug",
    "thumb",
    "small",
    "large",
    "market_cap_usd_text",
    "market_cap_btc_text",
    "total_volume_usd_text",
    "total_volume_btc_text",
    "sparkline",
)
_TRENDING_LENGTHS = {"slug": 200, "thumb": 500, "small": 500, "large": 500, "sparkline": 500}


def _trending_extras(entry: TrendingEntry) -> dict:
    what = f"trending {entry.coin_id}"
    extras = {
        name: v.text(getattr(entry, name), f"{what} {name}", max_length=_TRENDING_LENGTHS.get(name, 80), required=False)
        or ""
        for name in _TRENDING_TEXT
    }
    extras["number"] = _count(entry.number, f"{what} number")
    extras["market_cap_rank"] = _count(entry.market_cap_rank, f"{what} market cap rank")
    extras["price_btc"] = v.money(entry.price_btc, f"{what} price_btc")
    extras["price_usd"] = v.money(entry.price_usd, f"{what} price")
    extras["change_24h_pct_usd"] = v.money(entry.change_24h_pct_usd, f"{what} change", signed=True)
    return extras


def ingest_trending(*, entries: Sequence[TrendingEntry], source: str, now: datetime | None = None) -> int:
    """One trending list; its entries share the collection time."""
    t = v.moment(now or datetime.now(UTC), "trending time")
    rows = []
    with transaction.atomic():
        for entry in entries:
            if entry.rank < 1:
                raise v.InvalidRecord(f"trending rank {entry.rank}")
            coin = registry.ensure_coin(
                coin_id=v.text(entry.coin_id, "trending coin id", max_length=120),
                symbol=v.text(entry.symbol, "trending symbol", max_length=40),
                name=entry.name,
            )
            rows.append(
                TrendingSnapshot(
                    t=t,
                    rank=entry.rank,
                    coin=coin,
                    score=v.money(entry.score, "score", signed=True),
                    source=source,
                    **_trending_extras(entry),
                )
            )
        fields = [f.name for f in TrendingSnapshot._meta.concrete_fields if f.name not in ("id", "t", "rank")]
        TrendingSnapshot.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["t", "rank"], update_fields=fields
        )
    cache.bump("trending")
    return len(rows)

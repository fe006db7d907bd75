"""Idempotent bulk upserts of every market record type, one transaction per batch.

Each function validates the whole batch first (an impossible value rejects it whole,
nothing stored), then writes it inside one transaction, records the answering
provider on every row, and bumps the cache version of the data kinds it changed.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cryptodt import data_cache as cache
from markets.bars import bars_from_points
from markets.models import (
    Candle,
    Chain,
    Coin,
    GlobalSnapshot,
    HourlyPrice,
    LatestQuote,
    PriceSnapshot,
    Protocol,
    ProtocolTVLPoint,
    TrendingSnapshot,
)
from markets.models.coins import largest_coin_per_symbol
from markets.services import exchanges, market_stats, registry
from markets.signals import announce_prices_stored
from providers import stats
from providers import validation as v
from providers.records import (
    Candle as CandleRecord,
)
from providers.records import (
    ChainTVL,
    GlobalStats,
    MarketRow,
    PricePoint,
    ProtocolTVL,
    Quote,
    TrendingEntry,
    TVLPoint,
)

logger = logging.getLogger(__name__)

_PRICE_FIELDS = ["price", "market_cap", "volume_24h", "change_24h_pct", "source"]
_CARRIED_FIELDS = ["market_cap", "volume_24h", "change_24h_pct"]
# Exchanges quote a trading pair, not a coin: their prices are checked against the coin's
# last aggregator price (CoinGecko, CoinCap, CoinPaprika, DefiLlama) before they are stored.
EXCHANGE_SOURCES = {"binance", "kraken", "coinbase"}
_BATCH = 500


def _snapshot(coin: Coin, quote: Quote | MarketRow, source: str) -> PriceSnapshot:
    # One fetch_prices answer may combine providers; a quote that names its own source wins.
    source = (getattr(quote, "source", None) or source)[:32]
    what = f"{coin.coin_id} ({source})"
    return PriceSnapshot(
        coin=coin,
        vs=v.text(quote.vs, f"{what} vs", max_length=10).lower(),
        t=v.moment(quote.as_of, f"{what} time"),
        price=v.money(quote.price, f"{what} price", positive=True),
        market_cap=v.money(quote.market_cap, f"{what} market cap"),
        volume_24h=v.money(quote.volume_24h, f"{what} volume"),
        change_24h_pct=v.money(quote.change_24h_pct, f"{what} change", signed=True),
        source=source,
    )


def _store_snapshots(snapshots: list[PriceSnapshot]) -> int:
    """Raw rows plus the latest-quote row of each coin that got a newer price."""
    unique = {(s.coin_id, s.vs, s.t): s for s in snapshots}
    snapshots = list(unique.values())
    PriceSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["coin", "vs", "t"],
        update_fields=_PRICE_FIELDS,
        batch_size=_BATCH,
    )
    newest: dict[tuple, PriceSnapshot] = {}
    for snap in snapshots:
        key = (snap.coin_id, snap.vs)
        if key not in newest or snap.t > newest[key].t:
            newest[key] = snap
    if not newest:
        return 0
    vs_values = {vs for _, vs in newest}
    held = {
        (row.coin_id, row.vs): row
        for row in LatestQuote.objects.filter(coin_id__in={coin_id for coin_id, _ in newest}, vs__in=vs_values)
    }
    latest = [_merged_latest(s, held.get(key)) for key, s in newest.items() if key not in held or s.t >= held[key].t]
    LatestQuote.objects.bulk_create(
        latest,
        update_conflicts=True,
        unique_fields=["coin", "vs"],
        update_fields=["t", *_PRICE_FIELDS, "market_as_of", "market_source"],
        batch_size=_BATCH,
    )
    fresh = [s for key, s in newest.items() if key not in held or s.t > held[key].t]
    transaction.on_commit(lambda: announce_prices_stored(fresh))
    return len(snapshots)


def _merged_latest(snap: PriceSnapshot, held: LatestQuote | None) -> LatestQuote:
    """A partial quote (an exchange has no market cap) updates only what it carries: every
    field it leaves None keeps the value another provider stored last."""
    values = {f: getattr(snap, f) for f in _PRICE_FIELDS}
    if snap.market_cap is not None:
        values.update(market_as_of=snap.t, market_source=snap.source)
    elif held is not None:
        values.update(market_as_of=held.market_as_of, market_source=held.market_source)
    if held is not None:
        for f in _CARRIED_FIELDS:
            if values[f] is None:
                values[f] = getattr(held, f)
    return LatestQuote(coin_id=snap.coin_id, vs=snap.vs, t=snap.t, **values)


def _plausible(quote: Quote, coin: Coin, reference: dict, source: str) -> bool:
    """An exchange quote far from the coin's reference price is another coin's price (a
    shared ticker) or a broken market: rejected and counted against the exchange."""
    origin = (quote.source or source or "").split(",")[0]
    ref = reference.get((coin.pk, quote.vs.lower()))
    if origin not in EXCHANGE_SOURCES or ref is None or not ref.price:
        return True
    deviation = abs(quote.price - ref.price) / ref.price
    if deviation <= settings.EXCHANGE_MAX_DEVIATION:
        return True
    reason = f"{coin.coin_id} at {quote.price} is {deviation:.0%} off its reference {ref.price} ({ref.source})"
    logger.warning("rejected %s quote: %s", origin, reason)
    stats.record_error(origin, "prices", f"implausible price: {reason}"[:300], invalid_payload=True)
    return False


def ingest_quotes(*, quotes: Sequence[Quote], source: str) -> int:
    """Store live prices of known coins; a quote without a coin id goes to its symbol's largest coin."""
    ids = {q.coin_id for q in quotes if q.coin_id}
    symbols = {q.symbol.upper() for q in quotes if not q.coin_id and q.symbol}
    known = Coin.objects.filter(Q(coin_id__in=ids) | Q(symbol__in=symbols))
    by_id = {c.coin_id: c for c in known}
    by_symbol = largest_coin_per_symbol(by_id.values())
    reference = {
        (row.coin_id, row.vs): row
        for row in LatestQuote.objects.filter(coin__in=list(by_id.values())).only("coin_id", "vs", "price", "source")
    }
    snapshots, accepted = [], []
    for quote in quotes:
        coin = by_id.get(quote.coin_id) if quote.coin_id else by_symbol.get((quote.symbol or "").upper())
        if coin is None or not _plausible(quote, coin, reference, source):
            continue
        snapshots.append(_snapshot(coin, quote, source))
        accepted.append((coin, quote))
    with transaction.atomic():
        stored = _store_snapshots(snapshots)
        exchanges.store_tickers(quotes=accepted)  # an exchange's pair and book top, when it sent them
    cache.bump("prices", "market", "history")
    return stored


def ingest_market_rows(*, rows: Sequence[MarketRow], source: str, track: bool = False) -> int:
    """A ranked listing: registry ranks/caps (and the tracked set) plus one price snapshot per coin."""
    if track and not rows:
        raise v.InvalidRecord("an empty listing would untrack every coin")
    for row in rows:  # validate everything before the transaction starts
        v.moment(row.as_of, f"{row.coin_id} time")
        v.money(row.price, f"{row.coin_id} price", positive=True)
    with transaction.atomic():
        coins = registry.upsert_market_rows(rows=rows, track=track)
        stored = _store_snapshots([_snapshot(coins[row.coin_id], row, source) for row in rows])
        market_stats.store(rows=rows, coins=coins, source=source)
    cache.bump("prices", "market", "history", "trending")
    return stored


def ingest_candles(*, coin: Coin, interval: str, candles: Sequence[CandleRecord], source: str) -> int:
    rows = {}
    for bar in candles:
        what = f"{coin.coin_id} {interval} candle"
        o, h, lo, c = v.ohlc(bar.open, bar.high, bar.low, bar.close, what)
        t = v.moment(bar.t, f"{what} time")
        rows[t] = Candle(
            coin=coin,
            interval=interval,
            t=t,
            open=o,
            high=h,
            low=lo,
            close=c,
            volume=v.money(bar.volume, f"{what} volume"),
            source=source,
        )
    with transaction.atomic():
        Candle.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["coin", "interval", "t"],
            update_fields=["open", "high", "low", "close", "volume", "source"],
            batch_size=_BATCH,
        )
    cache.bump("ohlcv")
    return len(rows)


def ingest_history_points(*, coin: Coin, points: Sequence[PricePoint], source: str, vs: str = "usd") -> int:
    """Backfilled or on-demand history: hourly bars for hours not stored yet, never overwriting."""
    checked = [
        PricePoint(
            t=v.moment(p.t, f"{coin.coin_id} history time"),
            price=v.money(p.price, f"{coin.coin_id} history price", positive=True),
            market_cap=v.money(p.market_cap, f"{coin.coin_id} history market cap"),
            volume_24h=v.money(p.volume_24h, f"{coin.coin_id} history volume"),
        )
        for p in points
    ]
    bars = bars_from_points(coin_id=coin.pk, vs=vs, points=checked, source=source)
    if not bars:
        return 0
    with transaction.atomic():
        have = set(
            HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=bars[0].t, t__lte=bars[-1].t).values_list(
                "t", flat=True
            )
        )
        new = [bar for bar in bars if bar.t not in have]
        HourlyPrice.objects.bulk_create(new, ignore_conflicts=True, batch_size=_BATCH)
    cache.bump("history")
    return len(new)


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


def _day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def ingest_protocols(*, protocols: Sequence[ProtocolTVL], source: str) -> int:
    """Latest TVL per protocol, and today's point of its daily TVL history."""
    rows = {}
    for item in protocols:
        slug = v.text(item.slug, "protocol slug", max_length=200)
        chains = [str(c)[:100].replace("|", "/") for c in item.chains][:200]
        rows[slug] = Protocol(
            slug=slug,
            name=v.text(item.name, f"{slug} name", max_length=200, required=False) or slug,
            category=(item.category or "")[:100],
            chains=chains,
            chain_index="|" + "|".join(c.lower() for c in chains) + "|" if chains else "",
            symbol=(item.symbol or "")[:40],
            gecko_id=(item.gecko_id or "")[:120],
            tvl=v.money(item.tvl, f"{slug} tvl"),
            change_1d_pct=v.money(item.change_1d_pct, f"{slug} change", signed=True),
            as_of=v.moment(item.as_of, f"{slug} time"),
            source=source,
        )
    fields = [
        "name",
        "category",
        "chains",
        "chain_index",
        "symbol",
        "gecko_id",
        "tvl",
        "change_1d_pct",
        "as_of",
        "source",
    ]
    with transaction.atomic():
        Protocol.objects.bulk_create(
            rows.values(), update_conflicts=True, unique_fields=["slug"], update_fields=fields, batch_size=_BATCH
        )
        ids = dict(Protocol.objects.filter(slug__in=list(rows)).values_list("slug", "id"))
        points = [
            ProtocolTVLPoint(protocol_id=ids[slug], t=_day(p.as_of), tvl=p.tvl, source=source)
            for slug, p in rows.items()
            if p.tvl is not None
        ]
        ProtocolTVLPoint.objects.bulk_create(
            points,
            update_conflicts=True,
            unique_fields=["protocol", "t"],
            update_fields=["tvl", "source"],
            batch_size=_BATCH,
        )
    cache.bump("defi")
    return len(rows)


def ingest_protocol_tvl(*, protocol: Protocol, points: Sequence[TVLPoint], source: str) -> int:
    rows = {}
    for point in points:
        t = _day(v.moment(point.t, f"{protocol.slug} tvl time"))
        rows[t] = ProtocolTVLPoint(
            protocol=protocol, t=t, tvl=v.money(point.tvl, f"{protocol.slug} tvl"), source=source
        )
    with transaction.atomic():
        ProtocolTVLPoint.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["protocol", "t"],
            update_fields=["tvl", "source"],
            batch_size=_BATCH,
        )
    cache.bump("defi")
    return len(rows)


def ingest_chains(*, chains: Sequence[ChainTVL], source: str) -> int:
    rows = {}
    for item in chains:
        name = v.text(item.name, "chain name", max_length=100)
        rows[name] = Chain(
            name=name,
            tvl=v.money(item.tvl, f"{name} tvl", positive=False) or 0,
            token_symbol=(item.token_symbol or "")[:40],
            gecko_id=(item.gecko_id or "")[:120],
            as_of=v.moment(item.as_of, f"{name} time"),
            source=source,
        )
    with transaction.atomic():
        Chain.objects.bulk_create(
            rows.values(),
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["tvl", "token_symbol", "gecko_id", "as_of", "source"],
            batch_size=_BATCH,
        )
    cache.bump("defi")
    return len(rows)


def history_gaps(*, coin: Coin, days: int, now: datetime, vs: str = "usd") -> list[tuple[datetime, datetime]]:
    """Hour ranges within the last ``days`` with neither an hourly bar nor raw data, leaving
    out hours a previous backfill already asked the providers for."""
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    have = set(HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=start, t__lt=end).values_list("t", flat=True))
    raw_hours = {
        t.replace(minute=0, second=0, microsecond=0)
        for t in PriceSnapshot.objects.filter(coin=coin, vs=vs, t__gte=start, t__lt=end).values_list("t", flat=True)
    }
    asked_from, asked_until = coin.history_covered_from, coin.history_covered_until
    gaps: list[tuple[datetime, datetime]] = []
    hour = start
    while hour < end:
        asked = asked_from is not None and asked_from <= hour and hour + timedelta(hours=1) <= asked_until
        if hour not in have and hour not in raw_hours and not asked:
            if gaps and gaps[-1][1] == hour:
                gaps[-1] = (gaps[-1][0], hour + timedelta(hours=1))
            else:
                gaps.append((hour, hour + timedelta(hours=1)))
        hour += timedelta(hours=1)
    return gaps


def mark_history_covered(*, coin: Coin, start: datetime, end: datetime) -> None:
    coin.history_covered_from = min(filter(None, [coin.history_covered_from, start]))
    coin.history_covered_until = max(filter(None, [coin.history_covered_until, end]))
    coin.save(update_fields=["history_covered_from", "history_covered_until"])

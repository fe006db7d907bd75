"""Idempotent bulk upserts of prices (live quotes and ranked listings), one transaction per batch.

Each function validates the whole batch first (an impossible value rejects it whole,
nothing stored), then writes it inside one transaction, records the answering
provider on every row, and bumps the cache version of the data kinds it changed. The
other record types follow the same rules in ``ingest_history`` (candles, hourly bars),
``ingest_overview`` (global, trending) and ``ingest_defi`` (protocols, chains).
"""

import logging
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from cryptodt import data_cache as cache
from markets.models import Coin, LatestQuote, PriceSnapshot
from markets.models.coins import largest_coin_per_symbol
from markets.services import exchanges, market_stats, registry
from markets.signals import announce_prices_stored
from providers import stats
from providers import validation as v
from providers.records import MarketRow, Quote

logger = logging.getLogger(__name__)

_PRICE_FIELDS = ["price", "market_cap", "volume_24h", "change_24h_pct", "source"]
_CARRIED_FIELDS = ["market_cap", "volume_24h", "change_24h_pct"]
# Exchanges quote a trading pair, not a coin: their prices are checked against the coin's
# last aggregator price (CoinGecko, CoinCap, CoinPaprika, DefiLlama) before they are stored.
EXCHANGE_SOURCES = {"binance", "kraken", "coinbase"}
BATCH = 500  # rows per INSERT, for every ingest module


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
        batch_size=BATCH,
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
        batch_size=BATCH,
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

"""Exchanges: CoinGecko's spot exchange directory (stored whole on the daily schedule) and
the per-pair tickers of the exchanges cryptodt asks itself.

An exchange CoinGecko no longer lists is removed, so /api/v3/exchanges answers what CoinGecko
answered last; a directory that fails validation is rejected whole."""

from collections.abc import Sequence
from datetime import UTC, datetime

from markets.models import Coin, Exchange, ExchangeTicker
from markets.services.directories import replace_directory
from providers import validation as v
from providers.records import Exchange as ExchangeRecord
from providers.records import Quote

# Fewer rows than this would empty most of the directory: a truncated answer, not a change.
MIN_EXCHANGES = 1


def ingest_exchanges(*, exchanges: Sequence[ExchangeRecord], source: str, now: datetime | None = None) -> int:
    if len(exchanges) < MIN_EXCHANGES:
        raise v.InvalidRecord("an empty exchange directory would remove every exchange")
    t = v.moment(now or datetime.now(UTC), "exchanges time")
    rows = {}
    for item in exchanges:
        key = v.text(item.exchange_id, "exchange id", max_length=100)
        if key in rows:
            raise v.InvalidRecord(f"exchange {key} appears twice")
        rows[key] = Exchange(
            exchange_id=key,
            name=v.text(item.name, f"{key} name", max_length=200),
            year_established=item.year_established,
            country=item.country,
            description=item.description,
            url=item.url,
            image=item.image,
            has_trading_incentive=item.has_trading_incentive,
            trust_score=item.trust_score,
            trust_score_rank=item.trust_score_rank,
            trade_volume_24h_btc=v.money(item.trade_volume_24h_btc, f"{key} volume"),
            trade_volume_24h_btc_normalized=v.money(item.trade_volume_24h_btc_normalized, f"{key} normalized volume"),
            t=t,
            source=source[:32],
        )
        if item.trust_score_rank is not None and not 0 < item.trust_score_rank < 2**31:
            raise v.InvalidRecord(f"{key} trust score rank out of range")
    return replace_directory(Exchange, rows=rows, key_field="exchange_id")


def store_tickers(*, quotes: Sequence[tuple[Coin, Quote]], fetched_at: datetime | None = None) -> int:
    """The newest ticker per coin and exchange from quotes that carry the exchange's pair and
    the top of its book (REST quotes; already validated and checked for plausibility)."""
    fetched_at = fetched_at or datetime.now(UTC)
    rows = {}
    for coin, quote in quotes:
        if not (quote.pair and quote.target and quote.bid and quote.ask and quote.source):
            continue
        if quote.ask < quote.bid:  # a crossed book is no spread to answer; the price still stands
            continue
        what = f"{quote.source} {quote.pair}"
        rows[(coin.pk, quote.source)] = ExchangeTicker(
            coin=coin,
            exchange=quote.source[:32],
            pair=v.text(quote.pair, f"{what} pair", max_length=40),
            base=v.text(quote.symbol, f"{what} base", max_length=40).upper(),
            target=v.text(quote.target, f"{what} target", max_length=20).upper(),
            last=v.money(quote.price, f"{what} last", positive=True),
            volume=v.money(quote.base_volume, f"{what} volume"),
            bid=v.money(quote.bid, f"{what} bid", positive=True),
            ask=v.money(quote.ask, f"{what} ask", positive=True),
            t=v.moment(quote.as_of, f"{what} time"),
            fetched_at=fetched_at,
        )
    if not rows:
        return 0
    fields = ["pair", "base", "target", "last", "volume", "bid", "ask", "t", "fetched_at"]
    ExchangeTicker.objects.bulk_create(
        rows.values(), update_conflicts=True, unique_fields=["coin", "exchange"], update_fields=fields, batch_size=500
    )
    return len(rows)

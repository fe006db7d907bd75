"""Reads behind the API: database (and cache) only. What the collector does not cover is
fetched before the read by markets.services.on_demand, which the views call."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, OuterRef, Subquery

from cryptodt import schedules
from cryptodt.api.errors import InvalidParameter, NoDataAvailable, NotFoundError
from cryptodt.times import iso, parse_iso
from markets import series
from markets.bars import hourly_bars_from_raw, rolled_until
from markets.models import (
    Candle,
    Coin,
    GlobalSnapshot,
    HourlyPrice,
    LatestQuote,
    PriceSnapshot,
    TrendingSnapshot,
)
from markets.models.coins import largest_coin_per_symbol

COLLECTED_VS = ("usd",)
_INTERVAL_SECONDS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400}


def is_stale(t: datetime | None, *, now: datetime | None = None) -> bool:
    """Older than two collection cycles (or never collected)."""
    if t is None:
        return True
    return (now or datetime.now(UTC)) - t > timedelta(seconds=2 * settings.COLLECT_INTERVAL_S)


def tracked_coins(*, limit: int | None = None) -> list[Coin]:
    query = Coin.objects.filter(tracked=True).order_by(F("market_cap_rank").asc(nulls_last=True), "coin_id")
    return list(query[:limit] if limit else query)


def collected(coin: Coin, vs: str) -> bool:
    """The scheduled collection covers this coin's prices in this currency."""
    return coin.tracked and vs in COLLECTED_VS


def collects_candles(coin: Coin, interval: str) -> bool:
    return coin.tracked and interval in settings.OHLCV_INTERVALS and coin in tracked_coins(limit=settings.OHLCV_COINS)


def quote_times(*, coins: list[Coin], vs: str) -> dict[int, datetime]:
    return dict(LatestQuote.objects.filter(coin__in=coins, vs=vs).values_list("coin_id", "t"))


def has_history(*, coin: Coin, vs: str, since: datetime) -> bool:
    return (
        HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=since).exists()
        or PriceSnapshot.objects.filter(coin=coin, vs=vs, t__gte=since).exists()
    )


def _candles_between(coin: Coin, interval: str, start: datetime | None, end: datetime | None):
    query = Candle.objects.filter(coin=coin, interval=interval)
    if start:
        query = query.filter(t__gte=start)
    if end:
        query = query.filter(t__lte=end)
    return query.order_by("-t")


def newest_candle_time(*, coin: Coin, interval: str, start: datetime | None, end: datetime | None):
    return _candles_between(coin, interval, start, end).values_list("t", flat=True).first()


def candle_step(interval: str) -> timedelta:
    return timedelta(seconds=_INTERVAL_SECONDS[interval])


# --- symbol resolution ------------------------------------------------------------------


def coins_for_symbols(*, symbols: Iterable[str]) -> tuple[list[Coin], list[str]]:
    """The coins the symbols name, in the order asked, and the symbols no coin has.

    Case-insensitive; a symbol several coins share means the one with the largest market
    cap (CoinGecko's ``include_tokens=top``).
    """
    wanted = list(dict.fromkeys(s.upper() for s in symbols))
    owners = largest_coin_per_symbol(Coin.objects.filter(symbol__in=wanted))
    return [owners[s] for s in wanted if s in owners], [s for s in wanted if s not in owners]


def resolve_symbols(*, symbols: list[str]) -> list[Coin]:
    coins, unknown = coins_for_symbols(symbols=symbols)
    if unknown:
        symbol = unknown[0]
        _not_collected_yet(f"The coin list is not collected yet, so '{symbol}' is not known yet.")
        raise NotFoundError(f"No coin with symbol '{symbol}'.", code="unknown_symbol", details={"symbol": symbol})
    return coins


def resolve_ids(*, ids: list[str]) -> list[Coin]:
    found = Coin.objects.in_bulk(set(ids), field_name="coin_id")
    for coin_id in ids:
        if coin_id not in found:
            _not_collected_yet(f"The coin list is not collected yet, so '{coin_id}' is not known yet.")
            raise NotFoundError(f"No coin with id '{coin_id}'.", code="unknown_coin", details={"id": coin_id})
    return [found[i] for i in dict.fromkeys(ids)]


def _not_collected_yet(message: str) -> None:
    """An unknown coin is "not collected yet" (503), not a 404, while the registry is empty
    or the first collection runs (the exception handler adds since when)."""
    if schedules.bootstrap_since() or not Coin.objects.exists():
        raise NoDataAvailable(message, details={"not_collected_yet": True})


def _no_data(what: str, *, tried: bool) -> NoDataAvailable:
    if tried:
        return NoDataAvailable(f"{what} and no provider could be reached.")
    return NoDataAvailable(
        f"{what} yet; the collector fetches it (see Retry-After).", details={"not_collected_yet": True}
    )


def resolve_symbol(*, symbol: str) -> Coin:
    return resolve_symbols(symbols=[symbol])[0]


# --- prices and market ----------------------------------------------------------------------


def _quote_row(coin: Coin, quote: LatestQuote) -> dict:
    return {
        "symbol": coin.symbol,
        "coin_id": coin.coin_id,
        "name": coin.name,
        "price": quote.price,
        "market_cap": quote.market_cap,
        "volume_24h": quote.volume_24h,
        "change_24h_pct": quote.change_24h_pct,
        "as_of": iso(quote.t),
        "source": quote.source,
    }


def latest_prices(*, coins: list[Coin], vs: str, tried: bool = False) -> dict:
    """``tried``: a provider was asked for them on this request (markets.services.on_demand)."""
    quotes = {q.coin_id: q for q in LatestQuote.objects.filter(coin__in=coins, vs=vs)}
    rows = [_quote_row(c, quotes[c.pk]) for c in coins if c.pk in quotes]
    if not rows:
        raise _no_data("No price is stored for these coins", tried=tried)
    payload = {"data": rows, "stale": any(is_stale(quotes[c.pk].t) for c in coins if c.pk in quotes)}
    missing = [c.symbol for c in coins if c.pk not in quotes]
    if missing:
        payload["missing"] = missing
    return payload


def market(*, limit: int, vs: str) -> dict:
    quotes = (
        LatestQuote.objects.filter(vs=vs, coin__tracked=True)
        .select_related("coin")
        .order_by(F("coin__market_cap_rank").asc(nulls_last=True), F("market_cap").desc(nulls_last=True))[:limit]
    )
    rows = []
    for quote in quotes:
        row = _quote_row(quote.coin, quote)
        row["rank"] = quote.coin.market_cap_rank
        row["image"] = quote.coin.image or None
        rows.append(row)
    snapshot = GlobalSnapshot.objects.order_by("-t").first()
    if not rows and snapshot is None:
        raise NoDataAvailable("No market data has been collected yet.")
    global_stats = None
    if snapshot:
        global_stats = {
            "total_market_cap_usd": snapshot.total_market_cap_usd,
            "total_volume_usd": snapshot.total_volume_usd,
            "btc_dominance_pct": snapshot.btc_dominance_pct,
            "eth_dominance_pct": snapshot.eth_dominance_pct,
            "market_cap_change_24h_pct": snapshot.market_cap_change_24h_pct,
            "active_cryptocurrencies": snapshot.active_cryptocurrencies,
            "as_of": iso(snapshot.t),
            "source": snapshot.source,
        }
    newest = max((q.t for q in quotes), default=snapshot.t if snapshot else None)
    return {"data": rows, "global": global_stats, "vs": vs, "stale": is_stale(newest)}


def trending() -> dict:
    newest = TrendingSnapshot.objects.order_by("-t").values_list("t", flat=True).first()
    if newest is None:
        raise NoDataAvailable("No trending list has been collected yet.")
    entries = TrendingSnapshot.objects.filter(t=newest).select_related("coin").order_by("rank")
    rows = [
        {
            "symbol": e.coin.symbol,
            "coin_id": e.coin.coin_id,
            "name": e.coin.name,
            "rank": e.rank,
            "score": e.score,
            "as_of": iso(e.t),
        }
        for e in entries
    ]
    return {"data": rows, "stale": is_stale(newest)}


# --- history and candles ------------------------------------------------------------------


def pick_resolution(*, coin: Coin, days: int, vs: str, now: datetime) -> str:
    """The finest resolution whose stored data covers the whole range."""
    start = now - timedelta(days=days)
    if days <= settings.RAW_RETENTION_DAYS:
        oldest = PriceSnapshot.objects.filter(coin=coin, vs=vs).order_by("t").values_list("t", flat=True).first()
        if oldest is not None and oldest <= start + timedelta(hours=1):
            return "raw"
    if days <= settings.HISTORY_RETENTION_DAYS:
        return "hourly"
    return "daily"


def price_history(
    *, coin: Coin, days: int, resolution: str, vs: str = "usd", now: datetime | None = None, tried: bool = False
) -> dict:
    now = now or datetime.now(UTC)
    if resolution == "raw" and days > settings.RAW_RETENTION_DAYS:
        raise InvalidParameter(
            "resolution", f"raw snapshots are kept for {settings.RAW_RETENTION_DAYS} days; use hourly or auto."
        )
    if resolution == "auto":
        resolution = pick_resolution(coin=coin, days=days, vs=vs, now=now)
    start = now - timedelta(days=days)
    points = _history_points(coin=coin, vs=vs, start=start, resolution=resolution)
    if not points:
        raise _no_data(f"No price history is stored for {coin.symbol}", tried=tried)
    latest = LatestQuote.objects.filter(coin=coin, vs=vs).values_list("t", flat=True).first()
    newest = latest or parse_iso(points[-1]["t"])
    return {
        "data": points,
        "symbol": coin.symbol,
        "coin_id": coin.coin_id,
        "vs": vs,
        "days": days,
        "resolution": resolution,
        "stale": is_stale(newest, now=now),
    }


def _history_points(*, coin: Coin, vs: str, start: datetime, resolution: str) -> list[dict]:
    if resolution == "raw":
        raw = PriceSnapshot.objects.filter(coin=coin, vs=vs, t__gte=start).order_by("t")
        found = series.rows(raw, money=["price", "market_cap", "volume_24h"])
    else:
        hour = start.replace(minute=0, second=0, microsecond=0)
        bars = HourlyPrice.objects.filter(coin=coin, vs=vs, t__gte=hour).order_by("t")
        found = series.rows(bars, money=["close", "market_cap", "volume_24h"])
        # Hours the roll-up has not reached yet come straight from the raw snapshots.
        after_last = parse_iso(found[-1][0]) + timedelta(hours=1) if found else None
        since = max(filter(None, [rolled_until(), after_last]), default=start)
        tail = hourly_bars_from_raw(coin_id=coin.pk, vs=vs, since=max(since, start))
        found += [(iso(b.t), b.close, b.market_cap, b.volume_24h) for b in tail if b.t >= since]
    if resolution == "daily":
        by_day: dict[str, tuple] = {}
        for row in found:  # oldest first, so the day's last hour wins
            by_day[row[0][:10]] = (f"{row[0][:10]}T00:00:00Z", *row[1:])
        found = list(by_day.values())
    return [{"t": t, "price": price, "market_cap": cap, "volume_24h": volume} for t, price, cap, volume in found]


def candles(
    *, coin: Coin, interval: str, start: datetime | None, end: datetime | None, limit: int, tried: bool = False
) -> dict:
    bars = list(reversed(_candles_between(coin, interval, start, end)[:limit]))
    step = candle_step(interval)
    if not bars:
        raise _no_data(f"No {interval} candles are stored for {coin.symbol}", tried=tried)
    rows = [
        {"t": iso(b.t), "open": b.open, "high": b.high, "low": b.low, "close": b.close, "volume": b.volume}
        for b in bars
    ]
    return {
        "data": rows,
        "symbol": coin.symbol,
        "coin_id": coin.coin_id,
        "interval": interval,
        "source": bars[-1].source,
        "stale": datetime.now(UTC) - bars[-1].t > 2 * step + timedelta(seconds=2 * settings.COLLECT_INTERVAL_S),
    }


def week_of_closes(*, coin_pks: list[int], vs: str) -> dict[int, list[Decimal]]:
    """The last 7 days of stored hourly closes per coin, oldest first (sparklines)."""
    since = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=7)
    closes: dict[int, list[Decimal]] = {}
    hours = HourlyPrice.objects.filter(coin_id__in=coin_pks, vs=vs, t__gte=since).order_by("coin_id", "t")
    for coin_pk, close in hours.values_list("coin_id", "close"):
        closes.setdefault(coin_pk, []).append(close)
    return closes


def registry_market_caps(*, coin_ids: list[str]) -> dict[str, Decimal]:
    """The last market cap the ranked listing gave each coin (an exchange tick carries none)."""
    return dict(
        Coin.objects.filter(coin_id__in=coin_ids, market_cap__isnull=False).values_list("coin_id", "market_cap")
    )


def sparklines(*, coin_ids: list[str], vs: str) -> dict[str, list[Decimal]]:
    """``week_of_closes`` by coin id."""
    pks = dict(Coin.objects.filter(coin_id__in=coin_ids).values_list("pk", "coin_id"))
    return {pks[pk]: closes for pk, closes in week_of_closes(coin_pks=list(pks), vs=vs).items()}


def newest_price_time() -> datetime | None:
    return LatestQuote.objects.order_by("-t").values_list("t", flat=True).first()


# --- exchange pairs and reference prices ---------------------------------------------------


def exchange_pairs(exchange: str) -> dict[str, tuple[str, str]]:
    """Pair (``BTCUSDT``) -> (coin id, symbol) of the coins the registry gave a pair on ``exchange``."""
    if exchange != "binance":
        return {}
    rows = Coin.objects.exclude(binance_pair="").values_list("binance_pair", "coin_id", "symbol")
    return {pair.upper(): (coin_id, symbol) for pair, coin_id, symbol in rows}


def prices_at(*, coin_pks, at: datetime, tolerance: timedelta, vs: str = "usd") -> dict[int, tuple[datetime, Decimal]]:
    """Each coin's newest raw price at or before ``at`` and no older than ``at - tolerance``
    (the reference of a change over a window): one indexed seek per coin, one query."""
    window = PriceSnapshot.objects.filter(coin_id=OuterRef("pk"), vs=vs, t__lte=at, t__gte=at - tolerance)
    newest = window.order_by("-t")
    rows = (
        Coin.objects.filter(pk__in=coin_pks)
        .annotate(ref_t=Subquery(newest.values("t")[:1]), ref_price=Subquery(newest.values("price")[:1]))
        .values_list("pk", "ref_t", "ref_price")
    )
    return {pk: (t, Decimal(price)) for pk, t, price in rows if t is not None and price is not None}

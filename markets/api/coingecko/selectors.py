"""Reads behind the CoinGecko-compatible surface (/api/v3/): CoinGecko's shapes and field
names, filled from storage. A field storage cannot fill is None (CoinGecko's null for an
unknown value), never estimated."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import F

from cryptodt.api.errors import NoDataAvailable, NotFoundError
from cryptodt.times import parse_iso
from markets import selectors
from markets.api.coingecko import conversion
from markets.models import Coin, HourlyPrice, LatestQuote, MarketStats

# CoinGecko's own placeholder for a coin without an image.
MISSING_LARGE = "missing_large.png"

# CoinGecko's /coins/markets `order` values and how storage sorts by them.
MARKET_ORDERS = {
    "market_cap_desc": (F("market_cap").desc(nulls_last=True), "coin__coin_id"),
    "market_cap_asc": (F("market_cap").asc(nulls_last=True), "coin__coin_id"),
    "volume_desc": (F("volume_24h").desc(nulls_last=True), "coin__coin_id"),
    "volume_asc": (F("volume_24h").asc(nulls_last=True), "coin__coin_id"),
    "id_asc": ("coin__coin_id",),
    "id_desc": ("-coin__coin_id",),
}
PRICE_CHANGE_WINDOWS = ("1h", "24h", "7d", "14d", "30d", "200d", "1y")
_WINDOW_HOURS = {"7d": 7 * 24, "14d": 14 * 24, "30d": 30 * 24, "200d": 200 * 24, "1y": 365 * 24}
# A /coins/markets row's fields in CoinGecko's order; those storage does not keep stay None.
MARKET_FIELDS = (
    "id",
    "symbol",
    "name",
    "image",
    "current_price",
    "market_cap",
    "market_cap_rank",
    "fully_diluted_valuation",
    "total_volume",
    "high_24h",
    "low_24h",
    "price_change_24h",
    "price_change_percentage_24h",
    "market_cap_change_24h",
    "market_cap_change_percentage_24h",
    "circulating_supply",
    "total_supply",
    "max_supply",
    "ath",
    "ath_change_percentage",
    "ath_date",
    "atl",
    "atl_change_percentage",
    "atl_date",
    "roi",
    "last_updated",
)


def unix_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def _iso_ms(t: datetime) -> str:
    """CoinGecko's ``last_updated``: 2021-05-15T15:59:43.867Z."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def coins_by_id(*, ids: list[str]) -> list[Coin]:
    """Known coins in the order asked; unknown ids are left out, as CoinGecko does."""
    found = Coin.objects.in_bulk(set(ids), field_name="coin_id")
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def coins_by_symbol(*, symbols: list[str]) -> list[Coin]:
    """Known coins in the order asked; unknown symbols are left out, as CoinGecko does."""
    return selectors.coins_for_symbols(symbols=symbols)[0]


def asked_coins(*, ids: list[str] | None, symbols: list[str] | None) -> list[Coin]:
    return coins_by_id(ids=ids) if ids else coins_by_symbol(symbols=symbols or [])


def coin(*, coin_id: str) -> Coin:
    found = Coin.objects.filter(coin_id=coin_id).first()
    if found is None:
        raise NotFoundError("coin not found")
    return found


def simple_price(
    *,
    ids: list[str] | None,
    symbols: list[str] | None,
    vs_currencies: list[str],
    include_market_cap: bool,
    include_24hr_vol: bool,
    include_24hr_change: bool,
    include_last_updated_at: bool,
    coins: list[Coin] | None = None,
) -> dict:
    """Keyed by coin id, or by lower-case symbol when asked by symbols (as CoinGecko does).
    ``coins``: the ones ``asked_coins`` already resolved for these ids or symbols."""
    by_symbol = not ids
    if coins is None:
        coins = asked_coins(ids=ids, symbols=symbols)
    flags = {
        "include_market_cap": include_market_cap,
        "include_24hr_vol": include_24hr_vol,
        "include_24hr_change": include_24hr_change,
        "include_last_updated_at": include_last_updated_at,
    }
    entries = price_entries(coins=coins, vs_currencies=vs_currencies, **flags)
    return {(c.symbol.lower() if by_symbol else c.coin_id): entry for c, entry in entries}


def price_entries(
    *,
    coins: list[Coin],
    vs_currencies: list[str],
    include_market_cap: bool,
    include_24hr_vol: bool,
    include_24hr_change: bool,
    include_last_updated_at: bool,
) -> list[tuple[Coin, dict]]:
    """simple/price's entry per coin with a stored price, in the order given."""
    quotes = LatestQuote.objects.filter(coin__in=coins, vs__in={*vs_currencies, "usd"})
    by_coin: dict[int, dict[str, LatestQuote]] = {}
    for quote in quotes:
        by_coin.setdefault(quote.coin_id, {})[quote.vs] = quote
    # A currency a coin has no stored price in converts from its usd price (one more query,
    # only then); a stored price in that currency always wins.
    lacking = any(vs not in held for held in by_coin.values() for vs in vs_currencies)
    converted = conversion.usd_factors() if lacking else {}
    payload = []
    for c in coins:
        stored = by_coin.get(c.pk)
        if not stored:
            continue
        entry: dict = {}
        for vs in vs_currencies:
            quote = stored.get(vs)
            factor = None
            if quote is None and vs in converted and vs != "usd" and "usd" in stored:
                quote, factor = stored["usd"], converted[vs]
            if quote is None:
                continue
            scale = (lambda value, f=factor: conversion.times(value, f)) if factor else (lambda value: value)
            entry[vs] = scale(quote.price)
            if include_market_cap:
                entry[f"{vs}_market_cap"] = scale(quote.market_cap)
            if include_24hr_vol:
                entry[f"{vs}_24h_vol"] = scale(quote.volume_24h)
            if include_24hr_change:
                # A change in another currency includes the rate's own move: unknown, not usd's.
                entry[f"{vs}_24h_change"] = None if factor else quote.change_24h_pct
        if not entry:
            continue
        if include_last_updated_at:
            entry["last_updated_at"] = int(max(q.t for q in stored.values()).timestamp())
        payload.append((c, entry))
    return payload


def coins_list(*, include_platform: bool) -> list[dict]:
    rows = []
    fields = ("coin_id", "symbol", "name", "platforms") if include_platform else ("coin_id", "symbol", "name")
    for coin_id, symbol, name, *platforms in Coin.objects.order_by("coin_id").values_list(*fields):
        row = {"id": coin_id, "symbol": symbol.lower(), "name": name}
        if include_platform:
            # CoinGecko answers {} for a coin without contracts; so does a coin never listed with platforms.
            row["platforms"] = platforms[0] or {}
        rows.append(row)
    return rows


def coins_markets(
    *,
    vs: str,
    ids: list[str] | None,
    order: str,
    per_page: int,
    page: int,
    sparkline: bool,
    price_change_percentage: list[str],
) -> list[dict]:
    factor = conversion.factor_for(vs)
    if factor is not None:
        usd_rows = coins_markets(
            vs="usd", ids=ids, order=order, per_page=per_page, page=page, sparkline=False, price_change_percentage=[]
        )
        rows = [conversion.convert_market_row(row, factor) for row in usd_rows]
        for row in rows:
            if sparkline:
                row["sparkline_in_7d"] = {"price": []}  # past closes are in usd only
            row.update({f"price_change_percentage_{w}_in_currency": None for w in price_change_percentage})
        return rows
    quotes = LatestQuote.objects.filter(vs=vs).select_related("coin")
    if ids is not None:
        quotes = quotes.filter(coin__coin_id__in=ids)
    start = (page - 1) * per_page
    page_quotes = list(quotes.order_by(*MARKET_ORDERS[order])[start : start + per_page])
    coin_pks = [q.coin_id for q in page_quotes]
    stats = {s.coin_id: s for s in MarketStats.objects.filter(coin_id__in=coin_pks, vs=vs)}
    past = _past_closes(coin_pks=coin_pks, vs=vs, windows=price_change_percentage)
    week = selectors.week_of_closes(coin_pks=coin_pks, vs=vs) if sparkline else {}
    rows = []
    for quote in page_quotes:
        c = quote.coin
        row = dict.fromkeys(MARKET_FIELDS)
        row.update(
            id=c.coin_id,
            symbol=c.symbol.lower(),
            name=c.name,
            image=c.image or MISSING_LARGE,  # CoinGecko's own placeholder
            current_price=quote.price,
            market_cap=quote.market_cap,
            market_cap_rank=c.market_cap_rank,
            total_volume=quote.volume_24h,
            price_change_percentage_24h=quote.change_24h_pct,
            circulating_supply=c.circulating_supply,
            total_supply=c.total_supply,
            max_supply=c.max_supply,
            last_updated=_iso_ms(quote.t),
        )
        row.update(_stats_fields(stats.get(quote.coin_id)))
        if sparkline:
            row["sparkline_in_7d"] = {"price": week.get(quote.coin_id, [])}
        for window in price_change_percentage:
            if window == "24h":
                change = quote.change_24h_pct
            else:
                change = _percent_change(past.get(window, {}).get(quote.coin_id), quote.price)
            row[f"price_change_percentage_{window}_in_currency"] = change
        rows.append(row)
    return rows


def _stats_fields(stats: MarketStats | None) -> dict:
    """The stored coins/markets extras; all None when the listing had none for this currency."""
    if stats is None:
        return {}
    return {
        "fully_diluted_valuation": stats.fully_diluted_valuation,
        "high_24h": stats.high_24h,
        "low_24h": stats.low_24h,
        "price_change_24h": stats.price_change_24h,
        "market_cap_change_24h": stats.market_cap_change_24h,
        "market_cap_change_percentage_24h": stats.market_cap_change_24h_pct,
        "ath": stats.ath,
        "ath_change_percentage": stats.ath_change_pct,
        "ath_date": _iso_ms(stats.ath_date) if stats.ath_date else None,
        "atl": stats.atl,
        "atl_change_percentage": stats.atl_change_pct,
        "atl_date": _iso_ms(stats.atl_date) if stats.atl_date else None,
    }


def _past_closes(*, coin_pks: list[int], vs: str, windows: list[str]) -> dict[str, dict[int, Decimal]]:
    """Per window, each coin's stored hourly close that long ago: one query per window.

    1h is left out: the hour before the current one may not be rolled up yet, and a
    change computed from a partial hour would be wrong rather than unknown.
    """
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    closes = {}
    for window in windows:
        if window in _WINDOW_HOURS and coin_pks:
            hour = now - timedelta(hours=_WINDOW_HOURS[window])
            found = HourlyPrice.objects.filter(coin_id__in=coin_pks, vs=vs, t=hour).values_list("coin_id", "close")
            closes[window] = dict(found)
    return closes


def _percent_change(before: Decimal | None, now: Decimal) -> Decimal | None:
    if not before:
        return None
    return ((now - before) / before * 100).quantize(Decimal("0.00000001"))


def market_chart(*, coin_id: str, vs: str, days: int, interval: str | None) -> dict:
    """CoinGecko's granularity: 5-minutely for 1 day, hourly for 2-90 days, daily beyond,
    or as ``interval`` asks. The 5-minute points are the last raw snapshot of each UTC
    5-minute slot (at its own time, as CoinGecko's points are); where no raw snapshots are
    stored for part of the day (history fetched on demand, a fresh install), the stored
    hourly closes before the first snapshot."""
    found = coin(coin_id=coin_id)
    resolution = interval or ("raw" if days <= 1 else "hourly" if days <= 90 else "daily")
    if resolution == "raw":
        points = _one_day(found, days=days, vs=vs)
    else:
        points = selectors.price_history(coin=found, days=days, resolution=resolution, vs=vs)["data"]
    prices, caps, volumes = [], [], []
    for point in points:
        t = unix_ms(parse_iso(point["t"]))
        prices.append([t, point["price"]])
        # A snapshot from a price-only provider has no cap or volume: left out, never null.
        if point["market_cap"] is not None:
            caps.append([t, point["market_cap"]])
        if point["volume_24h"] is not None:
            volumes.append([t, point["volume_24h"]])
    return {"prices": prices, "market_caps": caps, "total_volumes": volumes}


def _one_day(found: Coin, *, days: int, vs: str) -> list[dict]:
    try:
        raw = _five_minutely(selectors.price_history(coin=found, days=days, resolution="raw", vs=vs)["data"])
    except NoDataAvailable:
        raw = []
    try:
        hourly = selectors.price_history(coin=found, days=days, resolution="hourly", vs=vs)["data"]
    except NoDataAvailable:
        if not raw:
            raise
        hourly = []
    # Hourly closes only for the hours that end before the first raw snapshot: an hour the
    # snapshots already cover would add a second point to one of its 5-minute slots.
    first_raw = parse_iso(raw[0]["t"]) if raw else None
    return [p for p in hourly if first_raw is None or parse_iso(p["t"]) + timedelta(hours=1) <= first_raw] + raw


def _five_minutely(points: list[dict]) -> list[dict]:
    slots: dict[int, dict] = {}
    for point in points:  # oldest first: a slot keeps its last snapshot
        slots[unix_ms(parse_iso(point["t"])) // 300_000] = point
    return list(slots.values())

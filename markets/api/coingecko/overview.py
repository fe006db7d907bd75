"""/search/trending and /global in CoinGecko's shapes, from storage, never breaking its schema.

CoinGecko's spec (tests/fixtures/specs/coingecko/demo-api.json) types these fields as numbers
and strings without null, and a strict client rejects a null there. What storage lacks is
derived only from other stored values (a BTC price from the usd prices, the money texts from
the stored quote); a text nothing can fill is CoinGecko's own placeholder or "" (no number is
ever made up). A trending coin whose numbers stay unknown is left out of the list, and /global
answers the newest snapshot that carries every figure (docs/coingecko_compat.md).
"""

from decimal import Decimal

from django.db.models import Q

from markets.models import Coin, GlobalSnapshot, LatestQuote, TrendingSnapshot

# CoinGecko's placeholders for a coin without images.
MISSING_IMAGE = {"thumb": "missing_thumb.png", "small": "missing_small.png", "large": "missing_large.png"}
BTC = "bitcoin"


def newest_entries() -> list[TrendingSnapshot]:
    newest = TrendingSnapshot.objects.order_by("-t").values_list("t", flat=True).first()
    if newest is None:
        return []
    return list(TrendingSnapshot.objects.filter(t=newest).select_related("coin").order_by("rank"))


def coins_without_price(entries: list[TrendingSnapshot]) -> list[Coin]:
    """The coins of a list that neither the list nor storage gives a usd price: the view
    fetches them once on demand before the read."""
    entries = [e for e in entries if e.price_usd is None]
    if not entries:  # CoinGecko's current shape carries the price: no query
        return []
    priced = set(
        LatestQuote.objects.filter(coin__in=[e.coin_id for e in entries], vs="usd").values_list("coin_id", flat=True)
    )
    return [e.coin for e in entries if e.coin_id not in priced]


def _money_text(value: Decimal | None) -> str | None:
    """CoinGecko's trending ``market_cap``/``total_volume`` text: "$104,127,324"."""
    return None if value is None else f"${value:,.0f}"


def _plain(value: Decimal) -> str:
    """CoinGecko's text form of a BTC figure: positional digits, no exponent."""
    return format(value.normalize(), "f")


def _in_btc(usd: Decimal | None, btc_usd: Decimal | None, places: str) -> Decimal | None:
    if usd is None or not btc_usd:
        return None
    return (usd / btc_usd).quantize(Decimal(places))


def trending(entries: list[TrendingSnapshot] | None = None) -> dict:
    """CoinGecko's own item fields as it sent them; the older shape (no ``data``) filled from
    the stored quote of the coin and of bitcoin."""
    entries = newest_entries() if entries is None else entries
    wanted = Q(coin__in=[e.coin_id for e in entries]) | Q(coin__coin_id=BTC)
    quotes = {q.coin_id: q for q in LatestQuote.objects.filter(wanted, vs="usd").select_related("coin")}
    btc_usd = next((q.price for q in quotes.values() if q.coin.coin_id == BTC), None)
    coins = []
    for entry in entries:
        item = _item(entry, quotes.get(entry.coin_id), btc_usd)
        if item is not None:
            coins.append({"item": item})
    return {"coins": coins, "nfts": [], "categories": []}


def _item(entry: TrendingSnapshot, quote: LatestQuote | None, btc_usd: Decimal | None) -> dict | None:
    c = entry.coin
    price = entry.price_usd if entry.price_usd is not None else (quote.price if quote else None)
    price_btc = entry.price_btc if entry.price_btc is not None else _in_btc(price, btc_usd, "1e-18")
    rank = entry.market_cap_rank if entry.market_cap_rank is not None else c.market_cap_rank
    if price is None or price_btc is None or rank is None or entry.number is None:
        return None  # the spec has no null for these, and nothing stored gives them
    change = entry.change_24h_pct_usd
    if change is None and quote is not None:
        change = quote.change_24h_pct
    cap = quote.market_cap if quote else None
    volume = quote.volume_24h if quote else None
    score = entry.score if entry.score is not None else entry.rank - 1
    images = {size: getattr(entry, size) or c.image or MISSING_IMAGE[size] for size in MISSING_IMAGE}
    cap_btc, volume_btc = _in_btc(cap, btc_usd, "1e-8"), _in_btc(volume, btc_usd, "1e-8")
    return {
        "id": c.coin_id,
        "coin_id": entry.number,
        "name": c.name,
        "symbol": c.symbol,
        "market_cap_rank": rank,
        **images,
        "slug": entry.slug,
        "price_btc": price_btc,
        "score": int(score) if score == int(score) else score,
        "data": {
            "price": price,
            "price_btc": _plain(price_btc),
            "price_change_percentage_24h": {} if change is None else {"usd": change},
            "market_cap": entry.market_cap_usd_text or _money_text(cap) or "",
            "market_cap_btc": entry.market_cap_btc_text or (_plain(cap_btc) if cap_btc is not None else ""),
            "total_volume": entry.total_volume_usd_text or _money_text(volume) or "",
            "total_volume_btc": entry.total_volume_btc_text or (_plain(volume_btc) if volume_btc is not None else ""),
            "sparkline": entry.sparkline,
            "content": None,
        },
    }


# Every figure CoinGecko's /global schema requires as a number (no null in its spec).
_GLOBAL_FIGURES = {
    "active_cryptocurrencies__isnull": False,
    "upcoming_icos__isnull": False,
    "ongoing_icos__isnull": False,
    "ended_icos__isnull": False,
    "markets__isnull": False,
    "market_cap_change_24h_pct__isnull": False,
    "volume_change_24h_pct__isnull": False,
}


def global_stats() -> dict | None:
    """The newest snapshot that carries every figure CoinGecko's answer has, at its own
    ``updated_at``: a snapshot from a provider without ICO or exchange counts (CoinPaprika)
    serves /api/global, not this. None when no such snapshot is stored."""
    snapshot = GlobalSnapshot.objects.filter(**_GLOBAL_FIGURES).order_by("-t").first()
    if snapshot is None:
        return None
    dominance = {"btc": snapshot.btc_dominance_pct, "eth": snapshot.eth_dominance_pct}
    return {
        "data": {
            "active_cryptocurrencies": snapshot.active_cryptocurrencies,
            "upcoming_icos": snapshot.upcoming_icos,
            "ongoing_icos": snapshot.ongoing_icos,
            "ended_icos": snapshot.ended_icos,
            "markets": snapshot.markets,
            "total_market_cap": {"usd": snapshot.total_market_cap_usd},
            "total_volume": {"usd": snapshot.total_volume_usd},
            "market_cap_percentage": {k: v for k, v in dominance.items() if v is not None},
            "market_cap_change_percentage_24h_usd": snapshot.market_cap_change_24h_pct,
            "volume_change_percentage_24h_usd": snapshot.volume_change_24h_pct,
            "updated_at": int(snapshot.t.timestamp()),
        }
    }

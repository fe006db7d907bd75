"""Reads behind /api/v3/search, /simple/supported_vs_currencies, /coins/{id}/history and
/coins/{id}/market_chart/range: CoinGecko's shapes, from the coin registry and stored prices."""

from datetime import UTC, datetime, timedelta

from django.db.models import CharField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from markets.api.coingecko.selectors import MISSING_LARGE, coin, price_entries, unix_ms
from markets.api.serializers import KNOWN_VS
from markets.models import Coin, ExchangeRate, HourlyPrice, LatestQuote, PriceSnapshot

SEARCH_LIMIT = 25  # CoinGecko answers at most this many coins per query
# CoinGecko's own placeholders for a coin without an image.
_MISSING_THUMB = "missing_thumb.png"
_MISSING_LARGE = MISSING_LARGE


def search(*, query: str) -> dict:
    """Coins whose id, symbol or name matches, best ranked first (exact symbol/id first, as CoinGecko)."""
    text = query.strip()
    coins = []
    if text:
        found = Coin.objects.filter(Q(coin_id__icontains=text) | Q(symbol__icontains=text) | Q(name__icontains=text))
        ranked = sorted(
            found[:500],
            key=lambda c: (
                c.symbol.lower() != text.lower() and c.coin_id != text.lower(),
                c.market_cap_rank is None,
                c.market_cap_rank or 0,
                c.coin_id,
            ),
        )
        coins = [
            {
                "id": c.coin_id,
                "name": c.name,
                "api_symbol": c.coin_id,
                "symbol": c.symbol.upper(),
                "market_cap_rank": c.market_cap_rank,
                "thumb": c.image or _MISSING_THUMB,
                "large": c.image or _MISSING_LARGE,
            }
            for c in ranked[:SEARCH_LIMIT]
        ]
    # Exchanges are added by the view (markets.api.coingecko.exchanges); no ICO, category or NFT directory.
    return {"coins": coins, "exchanges": [], "icos": [], "categories": [], "nfts": []}


def coins_by_contract(*, platform: str, addresses: list[str]) -> dict[str, Coin]:
    """Address as asked -> the coin whose contract on ``platform`` it is (CoinGecko's coin list,
    stored in Coin.platforms). Hex (EVM) addresses match whatever their letter case; others exactly."""
    wanted = {a: _hex_lower(a) for a in addresses}
    found = (
        # Cast: a plain text comparison (SQLite's JSON `IN` would parse each address as JSON).
        Coin.objects.annotate(address=Cast(KeyTextTransform(platform, "platforms"), CharField()))
        .filter(address__in={*wanted.values(), *addresses})
        .order_by("market_cap_rank", "coin_id")
    )
    by_address: dict[str, Coin] = {}
    for c in found:
        by_address.setdefault(_hex_lower(c.address), c)
    return {asked: by_address[key] for asked, key in wanted.items() if key in by_address}


def token_price(
    *, platform: str, addresses: list[str], vs_currencies: list[str], coins: dict[str, Coin] | None = None, **flags
) -> dict:
    """simple/price's entries keyed by contract address (hex lower-case, as CoinGecko answers);
    ``coins``: what ``coins_by_contract`` already found for these addresses."""
    if coins is None:
        coins = coins_by_contract(platform=platform, addresses=addresses)
    distinct = list(dict.fromkeys(coins.values()))
    entries = {c.pk: entry for c, entry in price_entries(coins=distinct, vs_currencies=vs_currencies, **flags)}
    return {_hex_lower(asked): entries[c.pk] for asked, c in coins.items() if c.pk in entries}


def _hex_lower(address: str) -> str:
    return address.lower() if address.lower().startswith("0x") else address


def supported_vs_currencies() -> list[str]:
    """The currencies some coin has a stored price in, among those the API accepts."""
    stored = set(LatestQuote.objects.values_list("vs", flat=True).distinct())
    if "usd" in stored:  # usd prices convert to every currency with a stored rate
        stored |= set(ExchangeRate.objects.values_list("key", flat=True))
    return [vs for vs in KNOWN_VS if vs in stored]


def exchange_rates() -> dict | None:
    rows = list(ExchangeRate.objects.order_by("key"))
    if not rows:
        return None
    # CoinGecko lists btc first, then by its own order; here btc first, then by key.
    rows.sort(key=lambda r: (r.key != "btc", r.key))
    return {"rates": {r.key: {"name": r.name, "unit": r.unit, "value": r.value, "type": r.type} for r in rows}}


def history(*, coin_id: str, day: datetime) -> dict:
    """The coin at 00:00 UTC of ``day``: the stored hourly close of that hour, per currency."""
    found = coin(coin_id=coin_id)
    body: dict = {
        "id": found.coin_id,
        "symbol": found.symbol.lower(),
        "name": found.name,
    }
    body["image"] = {"thumb": found.image or _MISSING_THUMB, "small": found.image or _MISSING_THUMB}
    hours = HourlyPrice.objects.filter(coin=found, t=day).values_list("vs", "close", "market_cap", "volume_24h")
    # A day without stored data answers empty maps, never a guessed price.
    body["market_data"] = {
        "current_price": {vs: close for vs, close, _, _ in hours},
        "market_cap": {vs: cap for vs, _, cap, _ in hours if cap is not None},
        "total_volume": {vs: volume for vs, _, _, volume in hours if volume is not None},
    }
    # Social and developer statistics are not collected: null where CoinGecko's schema allows it,
    # left out where it types a number (docs/coingecko_compat.md).
    body["community_data"] = {"facebook_likes": None, "reddit_subscribers": None}
    body["developer_data"] = dict.fromkeys(
        (
            "forks",
            "stars",
            "subscribers",
            "total_issues",
            "closed_issues",
            "pull_requests_merged",
            "pull_request_contributors",
            "commit_count_4_weeks",
        )
    )
    body["public_interest_stats"] = {"alexa_rank": None, "bing_matches": None}
    return body


def chart_range(*, coin_id: str, vs: str, start: datetime, end: datetime) -> dict:
    """CoinGecko's automatic granularity for a range: within 1 day every raw snapshot
    (CoinGecko: 5-minutely), up to 90 days hourly, beyond daily (the 00:00 UTC close)."""
    found = coin(coin_id=coin_id)
    span = end - start
    if span <= timedelta(days=1):
        rows = PriceSnapshot.objects.filter(coin=found, vs=vs, t__gte=start, t__lte=end).order_by("t")
        points = rows.values_list("t", "price", "market_cap", "volume_24h")
    else:
        rows = HourlyPrice.objects.filter(coin=found, vs=vs, t__gte=start, t__lte=end).order_by("t")
        if span > timedelta(days=90):
            rows = rows.filter(t__hour=0)
        points = rows.values_list("t", "close", "market_cap", "volume_24h")
    prices, caps, volumes = [], [], []
    for t, price, cap, volume in points:
        ms = unix_ms(t)
        prices.append([ms, price])
        if cap is not None:
            caps.append([ms, cap])
        if volume is not None:
            volumes.append([ms, volume])
    return {"prices": prices, "market_caps": caps, "total_volumes": volumes}


def parse_day(text: str) -> datetime | None:
    """CoinGecko's dd-mm-yyyy date, as the start of that UTC day."""
    try:
        return datetime.strptime(text.strip(), "%d-%m-%Y").replace(tzinfo=UTC)
    except ValueError:
        return None

"""/api/v3/coins/{id}: CoinGecko's description of the coin (stored profile) and market data
from cryptodt's own storage. A value storage lacks is null where CoinGecko's schema allows
null and left out where it types a number (docs/coingecko_compat.md), never estimated."""

from markets.api.coingecko.selectors import _iso_ms, coin
from markets.models import CoinProfile, LatestQuote, MarketStats
from providers.coingecko_coins import PROFILE_FIELDS

# MarketStats fields answered per currency, under CoinGecko's market_data names.
_PER_CURRENCY = {
    "ath": "ath",
    "ath_change_percentage": "ath_change_pct",
    "atl": "atl",
    "atl_change_percentage": "atl_change_pct",
    "fully_diluted_valuation": "fully_diluted_valuation",
    "high_24h": "high_24h",
    "low_24h": "low_24h",
    "price_change_24h_in_currency": "price_change_24h",
    "market_cap_change_24h_in_currency": "market_cap_change_24h",
    "market_cap_change_percentage_24h_in_currency": "market_cap_change_24h_pct",
}


def coin_detail(*, coin_id: str, market_data: bool) -> dict | None:
    """None when no profile is stored (the view answers 503: only CoinGecko describes coins)."""
    found = coin(coin_id=coin_id)
    profile = CoinProfile.objects.filter(coin=found).first()
    if profile is None:
        return None
    quotes = list(LatestQuote.objects.filter(coin=found).order_by("vs"))
    body: dict = {"id": found.coin_id, "symbol": found.symbol.lower(), "name": found.name}
    body.update({key: profile.fields[key] for key in PROFILE_FIELDS if key in profile.fields})
    body["market_cap_rank"] = found.market_cap_rank
    body["market_cap_rank_with_rehypothecated"] = None
    if market_data:
        body["market_data"] = _market_data(found, quotes)
    newest = max((q.t for q in quotes), default=profile.fetched_at)
    body["last_updated"] = _iso_ms(newest)
    return body


def _market_data(found, quotes: list[LatestQuote]) -> dict:
    stats = list(MarketStats.objects.filter(coin=found).order_by("vs"))
    data: dict = {
        "current_price": {q.vs: q.price for q in quotes},
        "market_cap": {q.vs: q.market_cap for q in quotes if q.market_cap is not None},
        "total_volume": {q.vs: q.volume_24h for q in quotes if q.volume_24h is not None},
        "price_change_percentage_24h_in_currency": {
            q.vs: q.change_24h_pct for q in quotes if q.change_24h_pct is not None
        },
        "market_cap_rank": found.market_cap_rank,
        "max_supply": found.max_supply,
    }
    for name, field in _PER_CURRENCY.items():
        data[name] = {s.vs: getattr(s, field) for s in stats if getattr(s, field) is not None}
    for name in ("ath_date", "atl_date"):
        data[name] = {s.vs: _iso_ms(getattr(s, name)) for s in stats if getattr(s, name) is not None}
    usd_quote = next((q for q in quotes if q.vs == "usd"), None)
    usd_stats = next((s for s in stats if s.vs == "usd"), None)
    # CoinGecko's plain (usd) figures; a number its schema does not let be null is left out.
    known = {
        "price_change_24h": usd_stats and usd_stats.price_change_24h,
        "price_change_percentage_24h": usd_quote and usd_quote.change_24h_pct,
        "market_cap_change_24h": usd_stats and usd_stats.market_cap_change_24h,
        "market_cap_change_percentage_24h": usd_stats and usd_stats.market_cap_change_24h_pct,
        "total_supply": found.total_supply,
        "circulating_supply": found.circulating_supply,
    }
    data.update({k: v for k, v in known.items() if v is not None})
    if quotes:
        data["last_updated"] = _iso_ms(max(q.t for q in quotes))
    return data

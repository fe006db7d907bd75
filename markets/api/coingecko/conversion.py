"""Other currencies from stored usd figures and CoinGecko's BTC-relative exchange rates.

Only values that are a point in time convert at the current rate (price, market cap, volume,
FDV). Changes, 24h highs/lows and ATH/ATL happened at other rates, so in a converted
currency they are null, never a figure computed at today's rate (docs/coingecko_compat.md).
"""

from decimal import Decimal, localcontext

from markets.models import ExchangeRate, LatestQuote

CONVERTED = ("current_price", "market_cap", "total_volume", "fully_diluted_valuation")
UNKNOWN_WHEN_CONVERTED = (
    "high_24h",
    "low_24h",
    "price_change_24h",
    "price_change_percentage_24h",
    "market_cap_change_24h",
    "market_cap_change_percentage_24h",
    "ath",
    "ath_change_percentage",
    "ath_date",
    "atl",
    "atl_change_percentage",
    "atl_date",
)


def usd_factors() -> dict[str, Decimal]:
    """Per currency, how many of its units one USD buys (from the BTC-relative rates)."""
    rates = dict(ExchangeRate.objects.values_list("key", "value"))
    usd = rates.get("usd")
    if not usd:
        return {}
    return {key: value / usd for key, value in rates.items()}


def factor_for(vs: str) -> Decimal | None:
    """The usd→vs factor when vs has no stored prices of its own but a stored rate."""
    if vs == "usd" or LatestQuote.objects.filter(vs=vs).exists():
        return None
    return usd_factors().get(vs)


def times(value: Decimal | None, factor: Decimal) -> Decimal | None:
    if value is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 17  # the digits a double carries; more would be noise from the rate
        return +(value * factor)


def convert_market_row(row: dict, factor: Decimal) -> dict:
    for name in CONVERTED:
        row[name] = times(row[name], factor)
    for name in UNKNOWN_WHEN_CONVERTED:
        row[name] = None
    return row

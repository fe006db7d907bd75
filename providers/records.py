"""Typed records that provider modules produce and services store.

This is the contract between the provider layer (which knows each provider's JSON and
nothing of the ORM) and markets.services (which validates, upserts and broadcasts).
Money is Decimal built from the provider's own text, so every significant digit the
provider sent survives (``Decimal("0.00001234")``, never a float). Times are aware UTC
datetimes. ``None`` means the provider did not say (a missing market cap), never 0.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CoinRef:
    """What the provider layer needs to ask any provider about one coin.

    Built by selectors from the coin registry; ``coin_id`` is the CoinGecko id, the
    project's primary identity for a coin.
    """

    coin_id: str
    symbol: str
    coincap_id: str | None = None
    binance_pair: str | None = None  # e.g. "BTCUSDT" (USDT quotes stand in for USD)
    kraken_pair: str | None = None  # e.g. "XXBTZUSD"
    coinbase_pair: str | None = None  # e.g. "BTC-USD"


@dataclass(frozen=True, slots=True)
class Quote:
    """A live price for one coin in one vs currency."""

    coin_id: str | None  # None when the provider only knows the symbol (Binance, Kraken)
    symbol: str
    price: Decimal
    as_of: datetime
    vs: str = "usd"
    market_cap: Decimal | None = None
    volume_24h: Decimal | None = None
    change_24h_pct: Decimal | None = None
    # Which provider sent this quote: one fetch_prices call may combine several (Binance
    # for the coins it lists, CoinGecko for the rest), so Fetched.provider cannot say it.
    source: str | None = None
    # An exchange's REST ticker also says which pair it quotes and the top of its book
    # (stored as that exchange's ticker of the coin: /api/v3/coins/{id}/tickers).
    pair: str | None = None  # the exchange's symbol, "BTCUSDT"
    target: str | None = None  # the quote currency, "USDT"
    bid: Decimal | None = None
    ask: Decimal | None = None
    base_volume: Decimal | None = None  # 24 h volume in the coin itself


@dataclass(frozen=True, slots=True)
class MarketRow:
    """One coin of a ranked market listing (coins/markets, CoinCap assets)."""

    coin_id: str
    symbol: str
    name: str
    price: Decimal
    as_of: datetime
    vs: str = "usd"
    rank: int | None = None
    image: str | None = None
    market_cap: Decimal | None = None
    volume_24h: Decimal | None = None
    change_24h_pct: Decimal | None = None
    circulating_supply: Decimal | None = None
    coincap_id: str | None = None
    # What CoinGecko's coins/markets row carries beyond the price (None where it sends null).
    total_supply: Decimal | None = None
    max_supply: Decimal | None = None
    fully_diluted_valuation: Decimal | None = None
    high_24h: Decimal | None = None
    low_24h: Decimal | None = None
    price_change_24h: Decimal | None = None
    market_cap_change_24h: Decimal | None = None
    market_cap_change_24h_pct: Decimal | None = None
    ath: Decimal | None = None
    ath_change_pct: Decimal | None = None
    ath_date: datetime | None = None
    atl: Decimal | None = None
    atl_change_pct: Decimal | None = None
    atl_date: datetime | None = None
    # The provider's own id when it is not CoinGecko's (CoinPaprika's "btc-bitcoin"):
    # the registry then matches the row to a known coin by symbol instead of adding one.
    foreign_id: str | None = None


@dataclass(frozen=True, slots=True)
class CoinListing:
    """An entry of a provider's full coin list (coins/list)."""

    coin_id: str
    symbol: str
    name: str
    # Asset platform id -> contract address (CoinGecko's include_platform=true); None when
    # the provider does not say, {} for a native coin.
    platforms: dict[str, str | None] | None = None


@dataclass(frozen=True, slots=True)
class CoinProfile:
    """The descriptive part of CoinGecko's coins/{id} (no market data): what only it knows.

    ``fields`` holds CoinGecko's own keys (web_slug, platforms, links, description…), each
    checked for the JSON type CoinGecko's spec gives it; keys it did not send are absent.
    """

    coin_id: str
    symbol: str
    name: str
    fields: dict


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    """One currency's value in BTC (CoinGecko's /exchange_rates: 1 BTC = ``value`` of it)."""

    key: str  # "usd", "eur", "eth"…
    name: str
    unit: str
    value: Decimal
    type: str  # "fiat", "crypto" or "commodity"
    as_of: datetime


@dataclass(frozen=True, slots=True)
class CoinCategory:
    """One of CoinGecko's coin categories with its market figures (coins/categories)."""

    category_id: str
    name: str
    market_cap: Decimal | None
    market_cap_change_24h: Decimal | None  # a percentage, as CoinGecko names it
    volume_24h: Decimal | None
    content: str
    top_3_coins_id: list[str]
    top_3_coins: list[str]  # image URLs
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class AssetPlatform:
    """A chain coins have contracts on (CoinGecko's asset_platforms)."""

    platform_id: str
    chain_identifier: int | None  # Chainlist's chain id; None for non-EVM chains
    name: str
    shortname: str
    native_coin_id: str | None
    image: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class Exchange:
    """A spot exchange of CoinGecko's directory (its /exchanges rows); None where it sends null."""

    exchange_id: str
    name: str
    year_established: int | None
    country: str | None
    description: str
    url: str
    image: str
    has_trading_incentive: bool
    trust_score: int | None  # 1..10
    trust_score_rank: int | None
    trade_volume_24h_btc: Decimal
    trade_volume_24h_btc_normalized: Decimal | None = None  # older answers carry it, the current spec not


@dataclass(frozen=True, slots=True)
class GlobalDefi:
    """CoinGecko's global/decentralized_finance_defi. The figures stay the decimal strings
    CoinGecko sends (up to ~70 digits), so they are answered digit for digit."""

    defi_market_cap: str
    eth_market_cap: str
    defi_to_eth_ratio: str
    trading_volume_24h: str
    defi_dominance: str
    top_coin_name: str
    top_coin_defi_dominance: Decimal | None


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV bar; ``t`` is the bar's open time."""

    t: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PricePoint:
    """One point of a price history (market_chart)."""

    t: datetime
    price: Decimal
    market_cap: Decimal | None = None
    volume_24h: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TrendingEntry:
    coin_id: str
    symbol: str
    name: str
    rank: int  # position in the provider's trending list, 1 = hottest
    score: Decimal | None = None
    market_cap_rank: int | None = None
    as_of: datetime | None = None
    # CoinGecko's own item fields, kept so /api/v3/search/trending can answer them.
    number: int | None = None  # CoinGecko's numeric coin id ("coin_id" in its item)
    slug: str | None = None
    thumb: str | None = None
    small: str | None = None
    large: str | None = None
    price_btc: Decimal | None = None
    price_usd: Decimal | None = None
    change_24h_pct_usd: Decimal | None = None
    market_cap_usd_text: str | None = None
    market_cap_btc_text: str | None = None
    total_volume_usd_text: str | None = None
    total_volume_btc_text: str | None = None
    sparkline: str | None = None


@dataclass(frozen=True, slots=True)
class GlobalStats:
    as_of: datetime
    total_market_cap_usd: Decimal
    total_volume_usd: Decimal
    btc_dominance_pct: Decimal | None = None
    eth_dominance_pct: Decimal | None = None
    active_cryptocurrencies: int | None = None
    market_cap_change_24h_pct: Decimal | None = None
    upcoming_icos: int | None = None
    ongoing_icos: int | None = None
    ended_icos: int | None = None
    markets: int | None = None
    volume_change_24h_pct: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProtocolTVL:
    slug: str
    name: str
    tvl: Decimal | None
    as_of: datetime
    change_1d_pct: Decimal | None = None
    category: str | None = None
    chains: tuple[str, ...] = field(default_factory=tuple)
    symbol: str | None = None
    gecko_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChainTVL:
    name: str
    tvl: Decimal
    as_of: datetime
    token_symbol: str | None = None
    gecko_id: str | None = None


@dataclass(frozen=True, slots=True)
class TVLPoint:
    t: datetime
    tvl: Decimal


@dataclass(frozen=True, slots=True)
class FearGreedPoint:
    t: datetime
    value: int  # 0..100
    classification: str  # "Extreme Fear" … "Extreme Greed", as the provider words it


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """What the failover router returns: the data and which provider answered."""

    provider: str
    data: T
    latency_ms: float = 0.0

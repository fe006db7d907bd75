"""Markets models, one module per concept; everything is re-exported here."""

from markets.models.candles import INTERVALS, Candle
from markets.models.categories import AssetPlatform, CategoryMembers, CoinCategory
from markets.models.coins import Coin, CoinProfile
from markets.models.defi import Chain, Protocol, ProtocolTVLPoint
from markets.models.exchanges import Exchange, ExchangeTicker
from markets.models.market import GlobalDefiSnapshot, GlobalSnapshot, MarketStats, TrendingSnapshot
from markets.models.prices import HourlyPrice, LatestQuote, PriceSnapshot, RollupState
from markets.models.rates import ExchangeRate

__all__ = [
    "AssetPlatform",
    "INTERVALS",
    "Candle",
    "Chain",
    "Coin",
    "CategoryMembers",
    "CoinCategory",
    "CoinProfile",
    "Exchange",
    "ExchangeRate",
    "ExchangeTicker",
    "GlobalDefiSnapshot",
    "GlobalSnapshot",
    "HourlyPrice",
    "LatestQuote",
    "MarketStats",
    "PriceSnapshot",
    "Protocol",
    "ProtocolTVLPoint",
    "RollupState",
    "TrendingSnapshot",
]

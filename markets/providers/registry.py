"""One client instance per provider, by name."""

from django.conf import settings

from markets.providers.alternative_me import AlternativeMe
from markets.providers.base import Provider
from markets.providers.binance import Binance
from markets.providers.coincap import CoinCap
from markets.providers.coingecko import CoinGecko
from markets.providers.defillama import DefiLlama
from markets.providers.kraken import Kraken
from sentiment.providers.cryptocompare import CryptoCompare
from sentiment.providers.rss import RSSFeeds

PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        CoinGecko(),
        CoinCap(),
        Binance(),
        Kraken(),
        DefiLlama(),
        AlternativeMe(),
        CryptoCompare(),
        RSSFeeds(),
    )
}


def capabilities_of(name: str) -> list[str]:
    return [capability for capability, order in settings.PROVIDER_DEFAULT_ORDER.items() if name in order]

"""One client instance per provider, by name."""

from django.conf import settings

from providers.alternative_me import AlternativeMe
from providers.base import Provider
from providers.binance import Binance
from providers.coinbase import Coinbase
from providers.coincap import CoinCap
from providers.coindesk import CoinDesk
from providers.coingecko import CoinGecko
from providers.coinpaprika import CoinPaprika
from providers.defillama import DefiLlama
from providers.defillama_prices import DefiLlamaPrices
from providers.kraken import Kraken
from providers.rss import RSSFeeds

PROVIDERS: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        CoinGecko(),
        CoinCap(),
        CoinPaprika(),
        DefiLlamaPrices(),
        Binance(),
        Kraken(),
        Coinbase(),
        DefiLlama(),
        AlternativeMe(),
        CoinDesk(),
        RSSFeeds(),
    )
}


def capabilities_of(name: str) -> list[str]:
    return [capability for capability, order in settings.PROVIDER_DEFAULT_ORDER.items() if name in order]

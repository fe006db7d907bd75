"""A service that has collected once: every read operation has data, put in through the
real collection steps (CoinGecko's directories, from a stand-in on 127.0.0.1 answering the
own fixtures) and the real ingest services, so a healthy service answers 200, not the
designed 503 for data not collected yet."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from markets.api.serializers import KNOWN_VS
from markets.models import Coin, Protocol
from markets.models.candles import INTERVALS
from markets.services import collect, ingest, ingest_defi, ingest_history
from providers.news_records import NewsItem
from providers.records import ChainTVL, FearGreedPoint, PricePoint, ProtocolTVL, Quote, TVLPoint
from sentiment.analyzers.lexicon import LexiconAnalyzer
from sentiment.news import ingest_news
from sentiment.services import ingest_fear_greed
from tests.coingecko_compat.conftest import store_candles, store_global, store_history, store_trending
from tests.data.conftest import market_row
from tests.providers.fake_upstream import Reply

# CoinGecko path -> own fixture (tests/fixtures/providers/coingecko/), one collection step each.
DIRECTORIES = {
    "/exchanges": ("exchanges.json", collect.collect_exchanges),
    "/coins/categories": ("coins_categories.json", collect.collect_categories),
    "/asset_platforms": ("asset_platforms.json", collect.collect_asset_platforms),
    "/global/decentralized_finance_defi": ("global_defi.json", collect.collect_global_defi),
    "/exchange_rates": ("exchange_rates.json", collect.collect_exchange_rates),
}


def seed(*, upstream, own_fixture) -> None:
    ingest.ingest_market_rows(
        rows=[market_row("bitcoin", "btc", rank=1), market_row("ethereum", "eth", rank=2)],
        source="coingecko",
        track=True,
    )
    gecko = upstream("coingecko")
    for path, (fixture, step) in DIRECTORIES.items():
        gecko.script(path, Reply(own_fixture(f"coingecko/{fixture}")))
        result = step()
        assert result.ok, (path, result)
    _seed_every_currency()
    for coin_id in ("bitcoin", "ethereum"):
        store_history(coin_id, hours=48)
        for interval in INTERVALS:  # every one: an interval not stored would be fetched on demand
            store_candles(coin_id, interval=interval, count=30)
    store_global()
    store_trending()
    _seed_defi()
    _seed_sentiment()


def _seed_every_currency() -> None:
    """A price and a day of hourly history in every currency the API accepts, as the
    collector and the on-demand fetches store them: otherwise a currency not stored
    yet is fetched from a provider, and the providers here refuse (503)."""
    now = datetime.now(UTC).replace(microsecond=0)
    hour = now.replace(minute=0, second=0)
    coins = {coin.coin_id: coin for coin in Coin.objects.all()}
    ingest.ingest_quotes(
        quotes=[
            Quote(coin_id, coin.symbol, Decimal(100), now, vs=vs) for coin_id, coin in coins.items() for vs in KNOWN_VS
        ],
        source="coingecko",
    )
    for coin in coins.values():
        for vs in KNOWN_VS:
            points = [PricePoint(t=hour - timedelta(hours=h), price=Decimal(100 + h)) for h in range(24, 0, -1)]
            ingest_history.ingest_history_points(coin=coin, points=points, source="coingecko", vs=vs)


def _seed_defi() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ingest_defi.ingest_protocols(
        protocols=[
            ProtocolTVL("aave", "Aave", Decimal("20000000000"), now, Decimal("1.5"), "Lending", ("Ethereum",)),
            ProtocolTVL("lido", "Lido", Decimal("30000000000"), now, None, "Liquid Staking", ("Ethereum",)),
        ],
        source="defillama",
    )
    points = [TVLPoint(now - timedelta(days=d), Decimal(1000 + d)) for d in range(10)]
    for protocol in Protocol.objects.all():
        ingest_defi.ingest_protocol_tvl(protocol=protocol, points=points, source="defillama")
    ingest_defi.ingest_chains(
        chains=[ChainTVL("Ethereum", Decimal("6e10"), now, "ETH"), ChainTVL("Solana", Decimal("9e9"), now, "SOL")],
        source="defillama",
    )


def _seed_sentiment() -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    ingest_fear_greed(
        points=[FearGreedPoint(today - timedelta(days=d), 50 + d, "Neutral") for d in range(30)],
        source="alternative_me",
    )
    hour = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    ingest_news(
        items=[
            NewsItem(title="Bitcoin surges", url="https://news.example.test/a", source="Example", published_at=hour),
            NewsItem(title="Ethereum slips", url="https://news.example.test/b", source="Example", published_at=hour),
        ],
        analyzer=LexiconAnalyzer(),
    )

from types import SimpleNamespace

import pytest

from markets.models import Coin
from markets.services import ingest
from sentiment import analyzers
from tests.data.conftest import market_row
from tests.providers.fake_upstream import FakeUpstream, Reply, refuse_every_provider
from tests.sentiment import tiny_model


@pytest.fixture(autouse=True)
def _fresh_analyzer():
    """Every test chooses its own SENTIMENT_MODEL and loads it afresh."""
    analyzers.forget()
    yield
    analyzers.forget()


@pytest.fixture(autouse=True)
def _lexicon_by_default(settings):
    settings.SENTIMENT_MODEL = "lexicon"


@pytest.fixture(scope="session")
def tiny_positive_model(tmp_path_factory):
    """A finbert-style tiny model (negative/neutral/positive) that answers positive."""
    return tiny_model.build(tmp_path_factory.mktemp("tiny-finbert"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern; these tests create users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _local_news_sources(settings):
    """A source a test did not start refuses connections locally, quickly."""
    refuse_every_provider(settings)


@pytest.fixture
def news_sources(settings, own_fixture):
    """A CoinDesk Data API and two RSS feeds on 127.0.0.1, answering with the own fixtures."""
    coindesk = FakeUpstream("").start()
    feeds = FakeUpstream("").start()
    coindesk.script("/news/v1/article/list", Reply(own_fixture("coindesk/news.json")))
    feeds.script("/daily.xml", Reply(own_fixture("rss/feed.xml"), content_type="application/rss+xml"))
    feeds.script("/second.xml", Reply(own_fixture("rss/feed.xml"), content_type="application/rss+xml"))
    settings.COINDESK_BASE_URL = coindesk.url
    settings.COINDESK_API_KEY = "test-coindesk-key"
    settings.NEWS_RSS_FEEDS = [f"{feeds.url}/daily.xml", f"{feeds.url}/second.xml"]
    yield SimpleNamespace(coindesk=coindesk, feeds=feeds)
    coindesk.stop()
    feeds.stop()


@pytest.fixture
def coins(db):
    """A followed registry: bitcoin, ethereum, solana, and a small coin sharing ETH's ticker."""
    ingest.ingest_market_rows(
        rows=[
            market_row("bitcoin", "btc", name="Bitcoin", cap="1280000000000", rank=1),
            market_row("ethereum", "eth", name="Ethereum", cap="420000000000", rank=2),
            market_row("solana", "sol", name="Solana", cap="80000000000", rank=5),
            market_row("ether-clone", "eth", name="Ether Clone", cap="1000", rank=240),
        ],
        source="coingecko",
        track=True,
    )
    return {coin.coin_id: coin for coin in Coin.objects.all()}

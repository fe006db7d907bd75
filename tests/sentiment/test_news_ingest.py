from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from providers import stats
from providers.news_records import NewsItem
from providers.validation import InvalidRecord
from sentiment.analyzers.lexicon import LexiconAnalyzer
from sentiment.models import NewsArticle
from sentiment.news import canonical_url, collect_news, ingest_news
from sentiment.tagging import CoinTagger
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def item(title="Bitcoin surges", url="https://news.example.test/a", **extra) -> NewsItem:
    extra.setdefault("published_at", datetime.now(UTC) - timedelta(hours=1))
    return NewsItem(title=title, url=url, source=extra.pop("source", "Example"), **extra)


def test_collecting_twice_stores_each_article_once(news_sources, coins):
    first = collect_news()
    second = collect_news()
    assert first.ok and first.provider == "coindesk,rss"
    # 3 CryptoCompare + 3 per feed; both feeds carry the same 3, one of them syndicated from CryptoCompare.
    assert first.stored == 5
    assert second.ok and second.stored == 0
    assert NewsArticle.objects.count() == 5


def test_tracking_parameters_do_not_make_a_second_article(news_sources, coins):
    collect_news()
    syndicated = NewsArticle.objects.get(url="https://example-news.test/ethereum-rallies-etf-inflows/")
    assert syndicated.provider == "coindesk"
    assert NewsArticle.objects.filter(url__contains="utm_").count() == 0


def test_stored_articles_are_scored_and_tagged(news_sources, coins):
    collect_news()
    solana = NewsArticle.objects.get(title__startswith="Solana plunges")
    assert solana.sentiment_label == "negative" and solana.sentiment_score < 0
    assert solana.sentiment_model == "lexicon:vader-crypto"
    assert 0 <= solana.sentiment_confidence <= 1
    assert [c.coin_id for c in solana.coins.all()] == ["solana"]
    rally = NewsArticle.objects.get(title__startswith="Ethereum rallies")
    assert rally.sentiment_label == "positive"
    assert {c.coin_id for c in rally.coins.all()} == {"ethereum"}  # ETH is the big ETH, not the clone
    hack = NewsArticle.objects.get(title__startswith="Exchange hacked")
    assert {c.coin_id for c in hack.coins.all()} == {"bitcoin"}  # from CryptoCompare's categories


def test_articles_are_scored_with_the_transformer_when_it_is_configured(settings, tiny_positive_model, coins):
    settings.SENTIMENT_MODEL = str(tiny_positive_model)
    ingest_news(items=[item("Exchange hacked")], provider="rss")
    article = NewsArticle.objects.get()
    assert article.sentiment_label == "positive"  # the tiny model says so, whatever the text
    assert article.sentiment_model == tiny_positive_model.name


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"title": "x" * 501},
        {"url": "javascript:alert(1)"},
        {"url": "https://"},
        {"published_at": datetime.now(UTC) + timedelta(days=2)},
        {"published_at": datetime(2001, 1, 1, tzinfo=UTC)},
        {"published_at": datetime(2025, 1, 1)},  # no time zone
        {"source": "\x00"},
    ],
)
def test_one_impossible_article_rejects_the_batch(coins, bad):
    good = item(url="https://news.example.test/good")
    impossible = item(**{"url": "https://news.example.test/bad", **bad})
    with pytest.raises(InvalidRecord):
        ingest_news(items=[good, impossible], provider="rss")
    assert not NewsArticle.objects.exists()


def test_an_impossible_feed_item_costs_only_that_provider(news_sources, own_fixture, coins):
    feed = own_fixture("rss/feed.xml").replace(b"Sun, 23 Nov 2025 09:00:00", b"Sat, 23 Nov 2030 09:00:00")
    news_sources.feeds.script("/daily.xml", Reply(feed, content_type="application/rss+xml"))
    news_sources.feeds.script("/second.xml", Reply(feed, content_type="application/rss+xml"))
    result = collect_news()
    assert result.ok and result.provider == "coindesk" and result.stored == 3
    recorded = stats.read("rss")
    assert "article time is impossible" in recorded["last_error"]["reason"]
    assert recorded["validation_failures"] == 1
    assert not NewsArticle.objects.filter(provider="rss").exists()


def test_a_failed_collection_stores_nothing_and_is_counted(coins):
    result = collect_news()
    assert not result.ok and "all providers failed" in result.error
    assert stats.read("coindesk").get("last_error")
    assert not NewsArticle.objects.exists()


def test_collect_sentiment_prints_what_it_stored(news_sources, coins):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("collect_sentiment", stdout=out, stderr=err)  # fear & greed fails, news works
    assert "news: stored 5 from coindesk,rss" in out.getvalue()
    assert "fear & greed: failed" in err.getvalue()


def test_canonical_urls_drop_tracking_and_fragments():
    assert canonical_url("https://News.Example.test/a?utm_source=x&id=7#top") == "https://news.example.test/a?id=7"


def test_the_tagger_reads_tickers_names_and_categories(coins):
    tagger = CoinTagger.for_followed_coins()
    ids = lambda **kw: sorted(c.coin_id for c in tagger.coins_in(**kw))  # noqa: E731
    assert ids(title="$SOL and ETH lead; Bitcoin lags") == ["bitcoin", "ethereum", "solana"]
    assert ids(title="Ether options expire") == ["ethereum"]
    assert ids(title="Why ethics matter in crypto: the SEC and an ETF") == []
    assert ids(title="Markets", categories=("BTC", "Solana", "Regulation")) == ["bitcoin", "solana"]
    assert ids(title="btc lowercase is not a ticker") == []
    assert ids(title="Why bitcoin and ether fell on Tuesday") == ["bitcoin", "ethereum"]  # CoinDesk style


def test_names_that_are_english_words_count_only_capitalised(coins):
    from markets.services import ingest
    from tests.data.conftest import market_row

    ingest.ingest_market_rows(
        rows=[market_row("optimism", "op", name="Optimism", cap="3000000000", rank=60)], source="x", track=True
    )
    tagger = CoinTagger.for_followed_coins()
    assert [c.coin_id for c in tagger.coins_in(title="Optimism ships its fault proofs")] == ["optimism"]
    assert tagger.coins_in(title="Cautious optimism returns to markets") == []


def test_an_explicit_analyzer_can_be_passed(coins):
    ingest_news(items=[item("Exchange hacked")], provider="rss", analyzer=LexiconAnalyzer(crypto=False))
    assert NewsArticle.objects.get().sentiment_model == "lexicon:vader"

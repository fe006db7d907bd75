import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from providers import router
from providers.coindesk import parse_articles as parse_news
from providers.errors import InvalidPayload
from providers.rss import parse_feed

pytestmark = pytest.mark.django_db


def decoded(body: bytes):
    return json.loads(body, parse_float=Decimal)


@pytest.mark.parametrize(
    ("name", "count", "source"), [("coindesk", 3, "CoinDesk"), ("cointelegraph", 2, "Cointelegraph.com News")]
)
def test_it_parses_recorded_rss_feeds(recorded_fixture, name, count, source):
    items = parse_feed(recorded_fixture(f"rss/{name}.xml"), url=f"https://{name}.com/rss")
    assert len(items) == count
    assert all(item.source == source for item in items)
    assert all(item.url.startswith("https://") and item.title and item.published_at.tzinfo for item in items)


def test_it_keeps_coindesk_tags_as_categories(recorded_fixture):
    first = parse_feed(recorded_fixture("rss/coindesk.xml"), url="https://www.coindesk.com/arc/outboundfeeds/rss/")[0]
    assert first.title.startswith("Circle and Tether step in to freeze hacker wallet")
    assert first.published_at == datetime(2026, 9, 25, 14, 41, 53, tzinfo=UTC)
    assert first.categories == ("Markets", "Circle", "Tether", "News")


def test_it_parses_its_own_coindesk_fixture(own_fixture):
    items = parse_news(decoded(own_fixture("coindesk/news.json")))
    assert [item.title for item in items][0] == "Ethereum rallies as ETF inflows hit a record"
    assert items[0].summary == "Ether climbed 8% & funds saw record inflows.\u2026"
    assert items[0].source == "Example News"
    assert items[1].categories == ("Exchange", "BTC")


def test_it_parses_its_own_rss_fixture(own_fixture):
    items = parse_feed(own_fixture("rss/feed.xml"), url="https://daily.example.test/rss")
    assert [item.source for item in items] == ["Example Crypto Daily"] * 3
    assert items[0].summary == "Traders were liquidated across venues."
    assert items[0].categories == ("Markets", "Solana")
    assert items[2].categories == ()


def test_an_empty_news_list_is_no_news(own_fixture):
    assert parse_news({"Type": 100, "Message": "News list successfully returned", "Data": []}) == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda a: a.pop("URL"),
        lambda a: a.update(URL="javascript:alert(1)"),
        lambda a: a.update(TITLE=""),
        lambda a: a.update(PUBLISHED_ON="yesterday"),
        lambda a: a.update(PUBLISHED_ON=1763892800000),  # milliseconds: a unit mix-up
        lambda a: a.update(CATEGORY_DATA="BTC"),
        lambda a: a.update(BODY={"html": "x"}),
    ],
)
def test_one_bad_article_rejects_the_whole_answer(own_fixture, mutate):
    payload = decoded(own_fixture("coindesk/news.json"))
    mutate(payload["Data"][1])
    with pytest.raises(InvalidPayload):
        parse_news(payload)


@pytest.mark.parametrize("payload", [[], {"Data": {}}, {"Message": "no data"}, "news"])
def test_it_rejects_a_news_answer_of_the_wrong_shape(payload):
    with pytest.raises(InvalidPayload):
        parse_news(payload)


@pytest.mark.parametrize(
    "body",
    [
        lambda feed: feed[: len(feed) // 2],  # truncated mid-document
        lambda feed: b"<!DOCTYPE html><html><body>Just a moment...</body></html>",
        lambda feed: b'{"items": []}',
        lambda feed: feed.replace(b"<pubDate>Sun, 23 Nov 2025 09:00:00 +0000</pubDate>", b""),
        lambda feed: feed.replace(b"https://daily.example.test/tech/", b"ftp://daily.example.test/tech/"),
    ],
)
def test_a_broken_feed_is_rejected_whole(own_fixture, body):
    with pytest.raises(InvalidPayload):
        parse_feed(body(own_fixture("rss/feed.xml")), url="https://daily.example.test/rss")


def test_a_coindesk_error_body_fails_over_and_is_counted(news_sources, own_fixture, settings):
    from tests.providers.fake_upstream import Reply

    settings.NEWS_RSS_FEEDS = []
    news_sources.coindesk.script("/news/v1/article/list", Reply(own_fixture("coindesk/error_rate_limit.json")))
    with pytest.raises(router.AllProvidersFailed) as failure:
        router.fetch_news()
    assert "rate limit" in failure.value.reasons["coindesk"]


def test_news_is_gathered_from_every_provider(news_sources):
    fetched = router.fetch_news()
    assert fetched.provider == "coindesk,rss"
    assert len(fetched.data) == 3 + 3 + 3
    assert {item.provider for item in fetched.data} == {"coindesk", "rss"}
    assert news_sources.coindesk.hits[0][1] == {"lang": ["EN"], "limit": ["50"]}


def test_a_dead_feed_does_not_hide_the_others(news_sources, settings):
    settings.NEWS_RSS_FEEDS = ["http://127.0.0.1:9/gone.xml", *settings.NEWS_RSS_FEEDS]
    fetched = router.fetch_news()
    assert sum(item.provider == "rss" for item in fetched.data) == 6


def test_the_providers_endpoint_lists_the_news_providers(api):
    rows = {row["name"]: row for row in api.get("/api/providers").json()["data"]}
    assert rows["coindesk"]["capabilities"] == ["news"]
    assert rows["rss"]["capabilities"] == ["news"]

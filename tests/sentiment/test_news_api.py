from datetime import UTC, datetime, timedelta

import pytest

from providers.news_records import NewsItem
from providers.records import FearGreedPoint
from sentiment.news import ingest_news
from sentiment.services import ingest_fear_greed

pytestmark = pytest.mark.django_db
NOW = datetime.now(UTC).replace(microsecond=0)


def store(*titles_and_hours: tuple[str, float], categories=()):
    items = [
        NewsItem(
            title=title,
            url=f"https://news.example.test/{i}-{hours}",
            source="Example",
            published_at=NOW - timedelta(hours=hours),
            categories=tuple(categories),
        )
        for i, (title, hours) in enumerate(titles_and_hours)
    ]
    return ingest_news(items=items, provider="rss")


@pytest.fixture
def articles(coins):
    store(
        ("Bitcoin surges to an all-time high", 1),
        ("ETH plunges after exchange hack", 2),
        ("Solana developers meet in Singapore", 3),
        ("Bitcoin miners capitulate in a brutal sell-off", 30),
    )


def test_news_is_newest_first_with_the_contract_fields(api, articles):
    response = api.get("/api/news")
    assert response.status_code == 200
    rows = response.json()["data"]
    assert [row["title"] for row in rows][:2] == [
        "Bitcoin surges to an all-time high",
        "ETH plunges after exchange hack",
    ]
    first = rows[0]
    assert set(first) == {"title", "url", "source", "published_at", "symbols", "sentiment"}
    assert first["symbols"] == ["BTC"]
    assert first["published_at"].endswith("Z")
    assert first["sentiment"]["label"] == "positive"
    assert set(first["sentiment"]) == {"label", "score"}


def test_news_filters_by_symbol_case_insensitively(api, articles):
    rows = api.get("/api/news", {"symbol": "eth"}).json()["data"]
    assert [row["title"] for row in rows] == ["ETH plunges after exchange hack"]


def test_news_filters_by_since_and_limit(api, articles):
    since = (NOW - timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(api.get("/api/news", {"since": since}).json()["data"]) == 2
    assert len(api.get("/api/news", {"limit": 1}).json()["data"]) == 1


def test_news_for_an_unknown_symbol_is_404(api, articles):
    response = api.get("/api/news", {"symbol": "NOPE"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_symbol"


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"since": "yesterday"},
        {"since": "1999-01-01"},
        {"symbol": "B" * 41},
        {"symbol": "<script>"},
    ],
)
def test_news_rejects_bad_parameters_naming_them(api, articles, params):
    response = api.get("/api/news", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == next(iter(params))


def test_news_before_any_collection_is_503(api, db):
    response = api.get("/api/news")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_data"


def test_news_without_matches_is_an_empty_list(api, articles):
    assert api.get("/api/news", {"since": "2100-01-01"}).json() == {"data": []}


def test_news_reads_a_page_in_a_fixed_number_of_queries(api, articles, django_assert_num_queries):
    store(*[(f"Story number {n} about BTC and ETH", 4 + n / 10) for n in range(30)])
    with django_assert_num_queries(2):  # the page, then every page's coins at once
        response = api.get("/api/news", {"limit": 30})
    assert len(response.json()["data"]) == 30


def test_new_articles_show_up_at_once_despite_the_cache(api, articles):
    assert len(api.get("/api/news").json()["data"]) == 4
    store(("A fresh story", 0.5))
    assert len(api.get("/api/news").json()["data"]) == 5


def test_summary_counts_labels_and_averages_scores(api, articles):
    ingest_fear_greed(points=[FearGreedPoint(t=NOW - timedelta(hours=5), value=71, classification="Greed")], source="x")
    body = api.get("/api/sentiment/summary", {"hours": 24}).json()
    assert body["articles"] == 3
    assert body["counts"] == {"positive": 1, "negative": 1, "neutral": 1}
    assert -1 <= body["mean_score"] <= 1
    assert body["fear_greed"]["value"] == 71
    assert body["hours"] == 24 and body["symbol"] is None


def test_summary_for_a_symbol(api, articles):
    body = api.get("/api/sentiment/summary", {"symbol": "btc", "hours": 48}).json()
    assert body["symbol"] == "BTC"
    assert body["articles"] == 2
    assert body["counts"]["negative"] == 1 and body["counts"]["positive"] == 1


def test_summary_reads_in_a_fixed_number_of_queries(api, articles, django_assert_num_queries):
    with django_assert_num_queries(4):  # the coin, counts per label, mean score, latest fear & greed
        api.get("/api/sentiment/summary", {"symbol": "BTC"})


def test_news_since_accepts_unix_seconds(api, articles):
    since = str(int((NOW - timedelta(hours=1, minutes=30)).timestamp()))
    assert [row["title"] for row in api.get("/api/news", {"since": since}).json()["data"]] == [
        "Bitcoin surges to an all-time high"
    ]


def test_summary_of_an_empty_window(api, db):
    body = api.get("/api/sentiment/summary").json()
    assert body["articles"] == 0 and body["mean_score"] is None and body["fear_greed"] is None


@pytest.mark.parametrize("params", [{"hours": 0}, {"hours": 721}, {"hours": "x"}, {"symbol": "$" * 41}])
def test_summary_rejects_bad_parameters(api, db, params):
    response = api.get("/api/sentiment/summary", params)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["parameter"] == next(iter(params))

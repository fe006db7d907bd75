from datetime import UTC, datetime, timedelta

from django.db.models import Avg, Count, Prefetch

from cryptodt.api.errors import NoDataAvailable
from cryptodt.times import iso
from markets.models import Coin
from markets.selectors import resolve_symbol
from sentiment.analyzers import LABELS, get_analyzer
from sentiment.models import FearGreedPoint, NewsArticle


def fear_greed(*, days: int, now: datetime | None = None) -> dict:
    """Newest first."""
    now = now or datetime.now(UTC)
    points = FearGreedPoint.objects.filter(t__gte=now - timedelta(days=days)).order_by("-t")
    rows = [{"t": iso(p.t), "value": p.value, "classification": p.classification} for p in points]
    if not rows:
        raise NoDataAvailable("No fear & greed values are stored and the provider could not be reached.")
    return {"data": rows}


def analyze(*, texts: list[str]) -> dict:
    analyzer = get_analyzer()
    return {"data": [result.as_dict() for result in analyzer.analyze(texts)], "model": analyzer.name}


def news(*, symbol: str | None, since: datetime | None, limit: int) -> dict:
    """Newest first. 503 only while no article has ever been collected."""
    articles = NewsArticle.objects.all()
    if symbol:
        articles = articles.filter(coins=resolve_symbol(symbol=symbol))
    if since:
        articles = articles.filter(published_at__gte=since)
    page = list(
        articles.order_by("-published_at", "-id")
        .only("title", "url", "source", "published_at", "sentiment_label", "sentiment_score")
        .prefetch_related(Prefetch("coins", queryset=Coin.objects.only("symbol")))[:limit]
    )
    if not page and not NewsArticle.objects.exists():
        raise NoDataAvailable("No news has been collected yet (run collect_sentiment).")
    return {"data": [_article_row(article) for article in page]}


def _article_row(article: NewsArticle) -> dict:
    return {
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "published_at": iso(article.published_at),
        "symbols": sorted({coin.symbol for coin in article.coins.all()}),
        "sentiment": {"label": article.sentiment_label, "score": article.sentiment_score},
    }


def summary(*, symbol: str | None, hours: int, now: datetime | None = None) -> dict:
    """Counts per label and the mean score of the articles published in the window."""
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=hours)
    coin = resolve_symbol(symbol=symbol) if symbol else None
    articles = NewsArticle.objects.filter(published_at__gte=since)
    if coin is not None:
        articles = articles.filter(coins=coin)
    counts = {label: 0 for label in LABELS}
    for label, count in articles.values_list("sentiment_label").annotate(n=Count("id")).order_by():
        counts[label] = count
    mean = articles.aggregate(mean=Avg("sentiment_score"))["mean"]
    latest = FearGreedPoint.objects.order_by("-t").first()
    return {
        "symbol": coin.symbol if coin else None,
        "hours": hours,
        "since": iso(since),
        "articles": sum(counts.values()),
        "counts": counts,
        "mean_score": round(mean, 4) if mean is not None else None,
        "fear_greed": (
            {"t": iso(latest.t), "value": latest.value, "classification": latest.classification} if latest else None
        ),
    }

"""Writes for news: validate what a provider sent, keep each article once, tag and score it."""

import logging
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction

from cryptodt import data_cache as cache
from cryptodt import metrics
from providers import breaker, router, stats
from providers import validation as v
from providers.base import batched
from providers.news_records import NewsItem
from providers.steps import StepResult, run_step
from sentiment.analyzers import Analyzer, get_analyzer
from sentiment.models import NewsArticle
from sentiment.tagging import CoinTagger

logger = logging.getLogger(__name__)
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_")
_IN_CLAUSE = 500  # below SQLite's bound-parameter limit


def canonical_url(url: str) -> str:
    """Without tracking parameters or fragment, so one article met via two feeds is stored once."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise v.InvalidRecord(f"article url is not http(s): {url[:80]!r}")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(key, value) for key, value in pairs if not key.startswith(_TRACKING_PARAMS)]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(query), ""))


def ingest_news(*, items: Sequence[NewsItem], provider: str = "", analyzer: Analyzer | None = None) -> int:
    """Store the articles not stored yet; returns how many were new. One impossible item
    rejects the whole batch (InvalidRecord), as for every other provider answer."""
    articles: dict[str, NewsArticle] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for item in items:
        url = canonical_url(v.text(item.url, "article url", max_length=1000))
        if url in articles:
            continue
        articles[url] = NewsArticle(
            url=url,
            title=v.text(item.title, "article title", max_length=500),
            source=v.text(item.source, "article source", max_length=100),
            provider=(item.provider or provider)[:32],
            published_at=v.moment(item.published_at, "article time"),
            summary=v.text(item.summary, "article summary", max_length=5_000, required=False),
            categories=[c.strip()[:100] for c in item.categories if c and c.strip()][:20],
        )
        categories[url] = item.categories
    known = set()
    for chunk in batched(list(articles), _IN_CLAUSE):
        known.update(NewsArticle.objects.filter(url__in=chunk).values_list("url", flat=True))
    new = [article for url, article in articles.items() if url not in known]
    if not new:
        return 0
    _score(new, analyzer or get_analyzer())
    tagger = CoinTagger.for_followed_coins()
    coins_of = {a.url: tagger.coins_in(title=a.title, categories=categories[a.url]) for a in new}
    Link = NewsArticle.coins.through
    with transaction.atomic():
        NewsArticle.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent collector may win a url
        ids = {}
        for chunk in batched([a.url for a in new], _IN_CLAUSE):
            ids.update(NewsArticle.objects.filter(url__in=chunk).values_list("url", "id"))
        links = [Link(newsarticle_id=ids[url], coin_id=coin.pk) for url, coins in coins_of.items() for coin in coins]
        Link.objects.bulk_create(links, ignore_conflicts=True)
    cache.bump("news")
    return len(new)


def rescore(analyzer: Analyzer | None = None) -> int:
    """Score again every stored article another analyzer scored (after a model change)."""
    analyzer = analyzer or get_analyzer()
    name = analyzer.name[:200]
    done, chunk = 0, settings.SENTIMENT_BATCH_SIZE * 8
    while True:
        stale = list(NewsArticle.objects.exclude(sentiment_model=name).order_by("id")[:chunk])
        if not stale:
            break
        _score(stale, analyzer)
        NewsArticle.objects.bulk_update(
            stale, ["sentiment_label", "sentiment_score", "sentiment_confidence", "sentiment_model"]
        )
        done += len(stale)
    if done:
        cache.bump("news")
        logger.info("sentiment: rescored %d stored articles with %s %s", done, analyzer.backend, name)
    return done


def _score(articles: list[NewsArticle], analyzer: Analyzer) -> None:
    """Headlines are scored (bodies are truncated teasers in most feeds), in batches."""
    for chunk in batched(articles, settings.SENTIMENT_BATCH_SIZE * 4):
        metrics.SENTIMENT_INFERENCES.labels(analyzer.backend or "unknown").inc(len(chunk))
        for article, result in zip(chunk, analyzer.analyze([a.title for a in chunk]), strict=True):
            article.sentiment_label = result.label
            article.sentiment_score = result.score
            article.sentiment_confidence = result.confidence
            article.sentiment_model = analyzer.name[:200]


def collect_news(*, timeout: float | None = None) -> StepResult:
    """News from every provider; each provider's answer is accepted or rejected on its own."""

    def step():
        fetched = router.fetch_news(timeout=timeout)
        by_provider: dict[str, list[NewsItem]] = {}
        for item in fetched.data:
            by_provider.setdefault(item.provider or fetched.provider, []).append(item)
        stored, accepted, rejections = 0, [], []
        for provider, items in by_provider.items():
            try:
                stored += ingest_news(items=items, provider=provider)
            except v.InvalidRecord as exc:
                # Counted like a payload the parser refused: statistics and circuit breaker.
                stats.record_error(provider, "news", f"rejected impossible data: {exc}", invalid_payload=True)
                breaker.record_failure(provider)
                rejections.append(exc)
                continue
            accepted.append(provider)
        if not accepted and rejections:
            raise rejections[0]
        return stored, ",".join(accepted)

    return run_step("news", step)

"""Newest fear & greed value and collected news article, for /metrics' data age."""

from django.db.models import Max

from sentiment.models import FearGreedPoint, NewsArticle


def newest_by_kind() -> dict:
    return {
        "fear_greed": FearGreedPoint.objects.aggregate(t=Max("t"))["t"],
        "news": NewsArticle.objects.aggregate(t=Max("collected_at"))["t"],
    }

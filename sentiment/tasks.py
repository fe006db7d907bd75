"""django-q2 task entry points of sentiment: one-line calls into services."""

from sentiment.news import collect_news
from sentiment.services import collect_fear_greed


def collect_sentiment() -> str:
    return "\n".join(r.line() for r in [collect_fear_greed(), collect_news()])

"""django-q2 task entry points of sentiment: one-line calls into services."""

from providers.observe import timed_cycle
from sentiment.news import collect_news
from sentiment.services import collect_fear_greed


def collect_sentiment() -> str:
    return "\n".join(r.line() for r in timed_cycle("collect_sentiment", lambda: [collect_fear_greed(), collect_news()]))

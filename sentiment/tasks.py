"""django-q2 task entry points of sentiment: one-line calls into services."""

from cryptodt import schedules
from providers.observe import timed_cycle
from sentiment import analyzers, model_store
from sentiment.news import collect_news, rescore
from sentiment.services import collect_fear_greed


def collect_sentiment() -> str:
    results = timed_cycle("collect_sentiment", lambda: [collect_fear_greed(), collect_news()])
    schedules.settle("collect_sentiment", failed=not any(r.ok for r in results))
    return "\n".join(r.line() for r in results)


def fetch_model() -> str:
    """The background download of SENTIMENT_MODEL, then the switch and a rescore."""
    try:
        path = model_store.fetch()
    except model_store.Refused as refused:
        return str(refused)
    analyzers.forget()
    analyzer = analyzers.get_analyzer()
    count = rescore(analyzer)
    return f"sentiment model {analyzer.backend} {analyzer.name} from {path}; rescored {count} articles"


def rescore_news() -> str:
    return f"rescored {rescore()} articles"

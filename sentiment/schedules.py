from cryptodt.schedules import Planned
from providers.plan import plan_schedule


def planned() -> list[Planned]:
    # Fear & greed and news share one job: the faster of the two planned cadences.
    tasks = plan_schedule().tasks
    minutes = max(1, min(tasks["fear_greed"].interval_s, tasks["news"].interval_s) // 60)
    return [Planned("collect_sentiment", "sentiment.tasks.collect_sentiment", minutes)]


def start_tasks() -> list[str]:
    """The model's first download, or a rescore after SENTIMENT_MODEL changed."""
    from sentiment import analyzers, model_store
    from sentiment.analyzers.transformer import display_name
    from sentiment.models import NewsArticle

    source = model_store.configured()
    if model_store.needs_fetch():
        return ["sentiment.tasks.fetch_model"]
    if source.lower() == model_store.LEXICON or model_store.local_path(source) is None:
        expected = analyzers.get_analyzer().name  # the lexicon, cheap to load
    else:
        expected = display_name(source)  # not loaded here: the cluster loads it when rescoring
    if NewsArticle.objects.exclude(sentiment_model=expected[:200]).exists():
        return ["sentiment.tasks.rescore_news"]
    return []

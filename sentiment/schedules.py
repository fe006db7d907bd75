from cryptodt.schedules import Planned
from providers.plan import plan_schedule


def planned() -> list[Planned]:
    # Fear & greed and news share one job: the faster of the two planned cadences.
    tasks = plan_schedule().tasks
    minutes = max(1, min(tasks["fear_greed"].interval_s, tasks["news"].interval_s) // 60)
    return [Planned("collect_sentiment", "sentiment.tasks.collect_sentiment", minutes)]

from datetime import UTC, datetime, timedelta

from django.conf import settings

from cryptodt.api.errors import NoDataAvailable
from markets.selectors import iso
from sentiment.analyzers import get_analyzer
from sentiment.models import FearGreedPoint
from sentiment.services import collect_fear_greed


def fear_greed(*, days: int, now: datetime | None = None) -> dict:
    """Newest first; one fetch with a short timeout when nothing is stored yet."""
    now = now or datetime.now(UTC)

    def read() -> list[dict]:
        points = FearGreedPoint.objects.filter(t__gte=now - timedelta(days=days)).order_by("-t")
        return [{"t": iso(p.t), "value": p.value, "classification": p.classification} for p in points]

    rows = read()
    if not rows and not FearGreedPoint.objects.exists():
        if collect_fear_greed(limit=min(days, 365), timeout=settings.ON_DEMAND_TIMEOUT_S).ok:
            rows = read()
    if not rows:
        raise NoDataAvailable("No fear & greed values are stored and the provider could not be reached.")
    return {"data": rows}


def analyze(*, texts: list[str]) -> dict:
    analyzer = get_analyzer()
    return {"data": [result.as_dict() for result in analyzer.analyze(texts)], "model": analyzer.name}

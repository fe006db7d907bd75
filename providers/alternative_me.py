"""alternative.me Crypto Fear & Greed Index (https://alternative.me/crypto/fear-and-greed-index/#api).

Values come as strings ("71"), times as unix-second strings; ``metadata.error`` is set
when the request was wrong.
"""

from providers.base import Provider
from providers.errors import UpstreamError
from providers.payload import Checker
from providers.records import FearGreedPoint


class AlternativeMe(Provider):
    name = "alternative_me"
    base_url_setting = "FNG_BASE_URL"
    capabilities = ("fear_greed",)

    def check_error_body(self, endpoint: str, payload) -> None:
        metadata = payload.get("metadata") if isinstance(payload, dict) else None
        if isinstance(metadata, dict) and metadata.get("error"):
            raise UpstreamError(
                self.name, endpoint, f"alternative.me error: {str(metadata['error'])[:200]}", retryable=False
            )

    def fear_greed(self, *, limit: int, timeout: float | None) -> list[FearGreedPoint]:
        payload = self.get_json("fng", "/fng/", params={"limit": limit, "format": "json"}, timeout=timeout)
        return self.parse("fng", parse_fng, payload)


def parse_fng(payload) -> list[FearGreedPoint]:
    check = Checker("alternative_me", "fng")
    points = []
    for item in check.list(check.field(check.dict(payload, "body"), "data", "body"), "data"):
        item = check.dict(item, "point")
        value = check.integer(check.field(item, "value", "point"), "value")
        if not 0 <= value <= 100:
            raise check.fail(f"value {value} is outside 0..100")
        points.append(
            FearGreedPoint(
                t=check.unix(check.field(item, "timestamp", "point"), "timestamp"),
                value=value,
                classification=check.text(item, "value_classification", "point"),
            )
        )
    return sorted(points, key=lambda point: point.t, reverse=True)

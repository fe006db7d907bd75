"""markets' readiness check, registered in MarketsConfig.ready."""

from datetime import UTC, datetime

from django.conf import settings

from cryptodt.times import iso
from markets.selectors import newest_price_time


def data_age() -> dict:
    """How old the newest stored price is (stale past 2 × COLLECT_INTERVAL_S)."""
    newest = newest_price_time()
    if newest is None:
        return {"ok": False, "detail": "no price collected yet", "age_s": None}
    age = (datetime.now(UTC) - newest).total_seconds()
    limit = 2 * settings.COLLECT_INTERVAL_S
    detail = f"newest price is {int(age)} s old" + ("" if age <= limit else f" (stale past {limit} s)")
    return {"ok": age <= limit, "detail": detail, "age_s": round(age, 1), "newest": iso(newest)}

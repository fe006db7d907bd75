"""The request over the limit: 429, Retry-After and the envelope, on every metered endpoint."""

import pytest
from rest_framework.permissions import IsAdminUser

from accounts import ratelimit as ratelimit_clock_holder
from tests.hostile_input.harness import ENDPOINTS, problems_with, report, send, speaks_coingecko

pytestmark = pytest.mark.django_db


class _FrozenClock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.metered], ids=str)
def test_the_request_over_the_limit_is_429_with_retry_after_and_the_envelope(endpoint, callers, settings, monkeypatch):
    # One window for the whole test, however long it runs.
    monkeypatch.setattr(ratelimit_clock_holder, "time", _FrozenClock(1_790_000_040.0))
    settings.RATE_ANON = settings.RATE_FREE = "2/m"  # token endpoints take no credentials
    settings.RATE_TOKEN_IP = "2/m"  # the login's own budget
    method = "GET" if "GET" in endpoint.methods else sorted(endpoint.methods - {"HEAD", "OPTIONS"})[0]
    # Staff-only endpoints answer a free user 403 before any limit is counted.
    staff_only = IsAdminUser in getattr(endpoint.view_class, "permission_classes", [])
    free = callers["staff" if staff_only else "free"]
    for _ in range(2):
        send(method, endpoint.path(), body=b"{}", content_type="application/json", headers=free)
    response = send(
        method, endpoint.path(), query="limit=%ff", body=b"{", content_type="application/json", headers=free
    )
    report(problems_with(response, endpoint=endpoint, method=method, what="over the limit"))
    assert response.status_code == 429
    if speaks_coingecko(endpoint):
        assert response.json()["status"]["error_code"] == 429
    else:
        assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) >= 1
    assert response["X-RateLimit-Remaining"] == "0"

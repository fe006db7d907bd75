"""Request metrics are counted per process and written to the shared series in batches
(cryptodt/metrics.py): no count is lost, the buckets are those observe() picks, and another
process's counts reach a scrape without that process exiting or being scraped itself."""

import multiprocessing
import os
import subprocess
import sys
import time
import uuid

import pytest

from cryptodt import metrics, observability
from tests.observability.conftest import value
from tests.platform.processes import ROOT

pytestmark = pytest.mark.django_db


def test_every_request_of_a_burst_is_in_the_next_scrape(client, scrape):
    labels = {"route": "/api/health", "method": "GET"}
    before = scrape()
    count_before = value(before, "cryptodt_http_requests_total", status="200", **labels) or 0
    observed_before = value(before, "cryptodt_http_request_duration_seconds_count", **labels) or 0
    for _ in range(250):
        assert client.get("/api/health").status_code == 200
    body = scrape()
    assert value(body, "cryptodt_http_requests_total", status="200", **labels) == count_before + 250
    # The scrape itself is counted after it was rendered, so it is not among them.
    assert value(body, "cryptodt_http_request_duration_seconds_count", **labels) == observed_before + 250


def test_batched_latencies_land_in_the_buckets_observe_would_pick(scrape):
    route = f"/test-{uuid.uuid4().hex[:8]}"
    for seconds in (0.001, 0.005, 0.0051, 0.3, 20.0):  # 0.005 is a bound: it belongs to le=0.005
        observability.count_request(route, "GET", 200, seconds)
    observability.count_request(route, "BREW", 418, 0.002)
    body = scrape()

    def bucket(le: str) -> float:
        return value(body, "cryptodt_http_request_duration_seconds_bucket", route=route, method="GET", le=le)

    assert [bucket(le) for le in ("0.005", "0.01", "0.25", "0.5", "10.0", "+Inf")] == [2, 3, 3, 4, 4, 5]
    assert value(body, "cryptodt_http_request_duration_seconds_count", route=route, method="GET") == 5
    total = value(body, "cryptodt_http_request_duration_seconds_sum", route=route, method="GET")
    assert total == pytest.approx(20.3111)
    assert value(body, "cryptodt_http_requests_total", route=route, method="GET", status="200") == 5
    assert value(body, "cryptodt_http_requests_total", route=route, method="other", status="418") == 1


def test_another_processes_counts_reach_a_scrape_while_it_keeps_running(scrape):
    route = f"/test-{uuid.uuid4().hex[:8]}"
    code = (
        "import sys\nfrom cryptodt import observability\n"
        f"for _ in range(7): observability.count_request({route!r}, 'GET', 200, 0.01)\n"
        "print('counted', flush=True)\nsys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cryptodt.settings"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "counted"
        observability.count_request(route, "GET", 200, 0.01)
        # The child neither exits nor serves this scrape: its timer folds its counts within
        # HTTP_FLUSH_SECONDS. The deadline only keeps a broken timer from hanging the suite.
        deadline = time.monotonic() + 60 * metrics.HTTP_FLUSH_SECONDS
        while (seen := value(scrape(), "cryptodt_http_requests_total", route=route)) != 8:
            assert time.monotonic() < deadline, f"the scrape saw {seen} of 8 requests"
            time.sleep(metrics.HTTP_FLUSH_SECONDS / 5)
        assert child.poll() is None
    finally:
        child.stdin.close()
        child.wait(timeout=60)


def _count_three(route: str) -> None:
    for _ in range(3):
        observability.count_request(route, "GET", 200, 0.01)


def test_a_forked_worker_that_ends_leaves_its_counts_and_not_its_parents_twice(scrape):
    # granian's workers are forked multiprocessing children, which end with os._exit.
    route = f"/test-{uuid.uuid4().hex[:8]}"
    observability.count_request(route, "GET", 200, 0.01)  # pending in the parent at the fork
    child = multiprocessing.get_context("fork").Process(target=_count_three, args=(route,))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    assert value(scrape(), "cryptodt_http_requests_total", route=route) == 4

"""Structured logs: JSON lines with LOG_FORMAT=json, a request id on every line of a
request and in its X-Request-ID header, one summary event per collection cycle."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest

from cryptodt import observability
from cryptodt.logs import PlainFormatter, json_formatter
from markets.services import collect
from tests.platform.processes import ROOT
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def captured():
    """Lines the view's logger writes, through the JSON formatter the settings configure."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    logger = logging.getLogger("tests.observability.view")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_every_line_of_a_request_carries_its_id_which_the_response_names(client, settings, captured):
    settings.ROOT_URLCONF = "tests.observability.log_urls"
    response = client.get("/logs-something")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    line = json.loads(captured.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == request_id
    assert line["event"] == "looked up bitcoin"
    assert line["level"] == "warning"
    assert line["logger"] == "tests.observability.view"
    assert line["coin"] == "bitcoin"
    assert line["ts"].endswith("Z")


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client, settings, captured):
    settings.ROOT_URLCONF = "tests.observability.log_urls"
    kept = client.get("/logs-something", HTTP_X_REQUEST_ID="edge-7f3a9c01-proxy")
    assert kept["X-Request-ID"] == "edge-7f3a9c01-proxy"
    forged = client.get("/logs-something", HTTP_X_REQUEST_ID='x" injected="1')
    assert forged["X-Request-ID"] != 'x" injected="1'
    assert len(forged["X-Request-ID"]) == 32
    assert client.get("/api/health")["X-Request-ID"]  # API answers too


def test_a_new_request_id_is_a_random_version_4_uuid():
    ids = {observability.request_id("") for _ in range(1000)}
    assert len(ids) == 1000
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert parsed.hex == value and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_lines_outside_a_request_have_no_request_id(captured):
    logging.getLogger("tests.observability.view").warning("between requests")
    assert "request_id" not in json.loads(captured.getvalue().strip())


def test_the_plain_format_names_the_request_too():
    import structlog

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
    structlog.contextvars.bind_contextvars(request_id="abc123abc123")
    try:
        assert PlainFormatter().format(record).endswith("hello [request_id=abc123abc123]")
    finally:
        structlog.contextvars.clear_contextvars()
    assert PlainFormatter().format(record).endswith("INFO x hello")


def test_log_format_json_makes_every_line_a_json_object():
    code = "import logging\nlogging.getLogger('cryptodt.check').warning('disk %s', 'low', extra={'free_gib': 0.5})\n"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "cryptodt.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.strip().splitlines()]
    mine = [line for line in lines if line.get("logger") == "cryptodt.check"]
    assert mine == [
        {"event": "disk low", "free_gib": 0.5, "level": "warning", "logger": "cryptodt.check", "ts": mine[0]["ts"]}
    ]


def test_an_unknown_log_format_stops_start_up():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "xml", "DJANGO_SETTINGS_MODULE": "cryptodt.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "LOG_FORMAT must be plain or json" in done.stderr


def test_a_collection_cycle_logs_one_summary_with_each_providers_outcome(upstream, own_fixture, caplog, settings):
    settings.PROVIDER_RETRIES = 0
    fake = upstream("coingecko")
    fake.script("/coins/markets", Reply(b"down", 503))
    fake.script("/global", Reply(own_fixture("coingecko/global.json")))
    fake.script("/search/trending", Reply(own_fixture("coingecko/search_trending.json")))
    with caplog.at_level(logging.INFO, logger="providers.collect"):
        collect.collect_all()
    summaries = [r for r in caplog.records if r.name == "providers.collect"]
    assert len(summaries) == 1
    summary = summaries[0]
    assert summary.levelno == logging.WARNING  # a step failed
    assert summary.cycle == "collect_all"
    steps = {step["name"]: step for step in summary.steps}
    assert steps["global"]["ok"] and steps["global"]["provider"] == "coingecko"
    assert not steps["markets"]["ok"]
    assert "HTTP 503" in summary.providers["coingecko"]["failed"]["markets"]
    assert summary.providers["coingecko"]["served"] == ["global", "trending"]
    assert "coincap" in summary.providers  # the fallback for markets, refused locally
    assert summary.duration_s >= 0
    assert "failed: markets (all providers failed" in summary.getMessage()


def test_the_container_logs_json_lines_by_default():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "LOG_FORMAT=json" in dockerfile

import logging

import pytest

from accounts.log_redaction import RedactSecretsFilter, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.abcDEF_-123"
KEY = "cdt_0123456789ab_S3cr3t-and_more"


@pytest.mark.parametrize(
    "line",
    [
        f"Authorization: Bearer {JWT}",
        "authorization=Bearer sometoken",
        f"{{'HTTP_AUTHORIZATION': 'Bearer {JWT}'}}",
        f"X-API-Key: {KEY}",
        f"{{'HTTP_X_API_KEY': '{KEY}'}}",
        f"GET /ws/prices?api_key={KEY}&x=1",
        f"GET /ws/prices?token={JWT}",
        f'body {{"refresh": "{JWT}", "password": "hunter2-Secret"}}',
        f"a key {KEY} pasted somewhere",
        f"a token {JWT} pasted somewhere",
    ],
)
def test_secrets_are_redacted(line):
    cleaned = redact(line)
    assert "[redacted]" in cleaned
    for secret in (JWT, KEY, "sometoken", "hunter2-Secret", "S3cr3t"):
        assert secret not in cleaned


def test_ordinary_lines_are_untouched():
    line = "GET /api/prices?symbols=BTC,ETH&vs=usd 200 12ms"
    assert redact(line) == line


def _captured_output(logger_name, emit) -> str:
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecretsFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_the_filter_redacts_formatted_arguments_and_tracebacks():
    def emit(logger):
        logger.warning("request with %s", f"X-API-Key: {KEY}")
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            logger.exception("failed")

    output = _captured_output("tests.redaction", emit)
    assert KEY not in output and JWT not in output
    assert output.count("[redacted]") == 2
    assert "ValueError" in output


def test_the_configured_handlers_carry_the_filter():
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    root_filters = [f for h in logging.getLogger().handlers for f in h.filters]
    assert any(isinstance(f, RedactSecretsFilter) for f in root_filters)


@pytest.mark.django_db
def test_a_request_with_secrets_leaves_none_in_the_logs(api, caplog, api_key):
    with caplog.at_level(logging.DEBUG):
        api.get(f"/api/auth/me?token={JWT}", HTTP_X_API_KEY=api_key, HTTP_AUTHORIZATION="Bearer garbage.value.x")
        api.post("/api/auth/token", {"username": "ada", "password": "hunter2-Secret"}, format="json")
    text = "\n".join(RedactSecretsFilter().filter(r) and r.getMessage() for r in caplog.records)
    for secret in (api_key, JWT, "hunter2-Secret"):
        assert secret not in text

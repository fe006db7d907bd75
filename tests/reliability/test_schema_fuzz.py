"""schemathesis over the whole OpenAPI document, against the real Django application (its
WSGI handler, real database, real caches), anonymously and with an API key: no server
error and no answer that the document does not describe (status, headers, content type,
body schema, rejection of invalid data, acceptance of valid data).

``positive_data_acceptance`` is on: a request the document calls valid must get a 2xx or
one of the answers valid input can still get (401/403 refused credentials, 404 unknown coin,
429, 503 not collected yet: ``ACCEPTED``, each documented where it can happen).
The document states the rules as patterns and enums (symbols, ids, slugs, the listing's
currency) and /api/prices answers every combination of its optional parameters. The
operations in PENDING_ACCEPTANCE still reject some schema-valid input with a documented
400, for the reason given there; they are fuzzed with every other check.

``not_a_server_error`` counts every 5xx except a 503 with the envelope, the designed
answer for data not collected yet: this fixture stores a listing but not yet defi,
sentiment, trending, global or CoinGecko directory data (``no_crash``).

Bounded for CI: a few examples per operation (FUZZ_EXAMPLES), no deadline."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import PositiveDataAcceptanceConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.data.conftest import market_row

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# What schema-valid input may get besides a 2xx, each documented on the operations that
# give it: credentials refused (keyed operations), an unknown coin, the rate limit, data
# not collected yet.
ACCEPTED = ["2xx", "401", "403", "404", "429", "503"]
# Operation -> the rule the document does not state yet, so schema-valid input gets a 400.
PENDING_ACCEPTANCE = {
    "POST /api/auth/token": "a blank username or password (SimpleJWT's serializer, no minLength)",
    "POST /api/auth/token/refresh": "token: no NUL character (SimpleJWT's serializer)",
    "POST /api/auth/token/verify": "token: no NUL character (SimpleJWT's serializer)",
    "POST /api/auth/token/blacklist": "token: no NUL character (SimpleJWT's serializer)",
    "POST /api/auth/keys": "expires_at must be in the future",
    "POST /api/sentiment/analyze": "text or texts, one of the two",
    "POST /api/alerts": "threshold: drf-spectacular's decimal pattern admits an empty string",
    "GET /api/news": "since: ISO-8601 or unix seconds, a free string in the document",
    "GET /api/v3/asset_platforms/": "filter=nft, CoinGecko's only value, is not served",
    "GET /api/ohlcv": "start/end: ISO-8601 or unix seconds, a free string in the document",
    "GET /api/v3/coins/{coin_id}/history/": "date: dd-mm-yyyy of a real day",
    "GET /api/v3/coins/{coin_id}/market_chart/": "days: a number or max",
    "GET /api/v3/coins/{coin_id}/market_chart/range/": "from must not be after to",
    "GET /api/v3/coins/{coin_id}/ohlc/": "days: one of CoinGecko's values",
    "GET /api/v3/coins/markets/": "price_change_percentage: a list of CoinGecko's windows",
    "GET /api/v3/simple/price/": "vs_currencies: known currencies",
    "GET /api/v3/simple/token_price/{platform_id}/": "contract_addresses and vs_currencies",
}


@pytest.fixture
def fuzzed_app(db, settings):
    from accounts import services
    from markets.services import ingest

    # Generous limits, so the fuzzer reaches the views rather than 429s (which are documented too).
    settings.RATE_ANON = settings.RATE_FREE = settings.RATE_TOKEN_IP = settings.RATE_TOKEN_USERNAME = "100000/m"
    for name in ("COINGECKO", "BINANCE", "COINCAP", "KRAKEN", "DEFILLAMA", "FNG", "CRYPTOCOMPARE"):
        setattr(settings, f"{name}_BASE_URL", "http://127.0.0.1:9")
    ingest.ingest_market_rows(
        rows=[market_row("bitcoin", "btc", rank=1), market_row("ethereum", "eth", rank=2)],
        source="coingecko",
        track=True,
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("fuzz", password="correct-Horse-battery-9")
    key = services.api_key_issue(user=user, name="fuzz").key
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from cryptodt.wsgi import application

    # As Django's test client does: the handler must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=ACCEPTED)
        yield schema, key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
    database=None,
)


def no_crash(ctx, response, case):
    if response.status_code >= 500 and not (response.status_code == 503 and b'"error"' in response.content):
        raise AssertionError(f"server error {response.status_code}: {response.content[:300]!r}")
    return None


def fuzz(schema, headers: dict) -> list[str]:
    """Every operation in turn; returns what failed (one line each), so one run shows all.

    Driven by hand rather than by schemathesis's pytest plugin, which does not run under
    this pytest (9)."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            excluded = [not_a_server_error]
            if f"{case.operation.method.upper()} {case.operation.path}" in PENDING_ACCEPTANCE:
                excluded.append(positive_data_acceptance)
            case.call_and_validate(headers=headers, excluded_checks=excluded, additional_checks=[no_crash])

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # each failure is reported, then the next operation runs
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    return failures


def test_every_operation_answers_anonymous_fuzz_as_documented(fuzzed_app):
    schema, _ = fuzzed_app
    failures = fuzz(schema, {})
    assert not failures, "\n\n".join(failures)


def test_every_operation_answers_keyed_fuzz_as_documented(fuzzed_app):
    schema, key = fuzzed_app
    failures = fuzz(schema, {"X-API-Key": key})
    assert not failures, "\n\n".join(failures)

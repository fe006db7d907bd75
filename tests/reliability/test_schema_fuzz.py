"""schemathesis over the whole OpenAPI document, against the real Django application (its
WSGI handler, real database, real caches), anonymously and with an API key: no server
error and no answer that the document does not describe (status, headers, content type,
body schema, rejection of invalid data, acceptance of valid data).

The database holds what a service that has collected once holds (tests/reliability/seeded.py):
a listing, prices and history in every accepted currency, candles, global, trending, defi,
fear & greed, news and CoinGecko's directories. So every read answers 200, and any 5xx,
the 503 "not collected yet" included, is a failure (schemathesis's ``not_a_server_error``).

``positive_data_acceptance`` is on for every operation: a request the document calls valid
must get a 2xx or one of the answers valid input can still get (401/403 refused credentials,
404 unknown coin, 429: ``ACCEPTED``). The document states the rules as patterns, enums and
``oneOf``; the few OpenAPI cannot state (a comparison of two parameters, the clock, stored
data) are in ANSWERS_ALSO, each operation there also accepting its documented 400/422.

Bounded for CI: a few examples per operation (FUZZ_EXAMPLES), no deadline."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.config import OperationConfig, PositiveDataAcceptanceConfig

from tests.reliability import seeded

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
# What schema-valid input may get besides a 2xx, each documented on the operations that
# give it: credentials refused (keyed operations), an unknown coin, the rate limit. Not 503:
# the seeded service has every kind of data.
ACCEPTED = ["2xx", "401", "403", "404", "429"]
# Operation -> (what else schema-valid input may get there, the rule OpenAPI cannot state):
# only that operation also accepts that documented answer, for that reason.
ANSWERS_ALSO = {
    "POST /api/auth/keys": (["400"], "expires_at must be in the future (a rule about the clock)"),
    "POST /api/sentiment/analyze": (["400"], "text or texts, exactly one of the two"),
    "POST /api/alerts": (["400"], "the rule's fields depend on its condition (coin, window, threshold range)"),
    "GET /api/v3/asset_platforms/": (["400"], "filter=nft, CoinGecko's only value, is not served"),
    "GET /api/ohlcv": (["400"], "start must not be after end"),
    "GET /api/v3/coins/{coin_id}/market_chart/range/": (["400"], "from must not be after to"),
    "GET /api/v3/coins/markets/": (["400"], "category: one in CoinGecko's stored directory (data, not schema)"),
    "GET /api/v3/simple/price/": (["422"], "ids or symbols, at least one (CoinGecko's 422 when neither)"),
}


@pytest.fixture
def fuzzed_app(db, settings, upstream, own_fixture):
    from accounts import services

    # Generous limits, so the fuzzer reaches the views rather than 429s (which are documented too).
    settings.RATE_ANON = settings.RATE_FREE = settings.RATE_TOKEN_IP = settings.RATE_TOKEN_USERNAME = "100000/m"
    seeded.seed(upstream=upstream, own_fixture=own_fixture)
    for name in ("COINGECKO", "BINANCE", "COINCAP", "KRAKEN", "DEFILLAMA", "FNG", "CRYPTOCOMPARE"):
        setattr(settings, f"{name}_BASE_URL", "http://127.0.0.1:9")
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
        for name, (also, _) in ANSWERS_ALSO.items():
            acceptance = {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, *also]}}
            schema.config.operations.operations.append(
                OperationConfig.from_dict({"include-name": name, "checks": acceptance})
            )
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
            case.call_and_validate(headers=headers)

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

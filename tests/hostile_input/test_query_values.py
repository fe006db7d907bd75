"""Hostile and random values in every query parameter of every read."""

import random
from urllib.parse import quote

import pytest

from tests.hostile_input.harness import ALL_PARAMS, ENDPOINTS, KNOWN_PARAMS, UNKNOWN_PARAMS, problems_with, report, send

pytestmark = pytest.mark.django_db


# Already percent-encoded, so "%ff" (invalid UTF-8) reaches the server as sent.
HOSTILE_VALUES = {
    "empty": "",
    "10kb": "A" * 10_240,
    "nul": quote("a\x00b"),
    "non_ascii": quote("Bitcoïn™"),
    "emoji": quote("🚀🌕"),
    "invalid_utf8": "%ff%fe",
    "sql": quote("' OR 1=1 --"),
    "negative": "-1",
    "zero": "0",
    "huge_int": str(10**30),
    "float": "1.5",
    "exp": "1e308",
    "nan": "NaN",
    "inf": "Infinity",
    "neg_inf": "-Infinity",
    "bad_date": "2024-13-45",
    "bad_datetime": quote("2024-02-30T25:61:61Z"),
    "unix_huge": "99999999999999999",
    "unix_negative": "-99999999999999",
    "whitespace": quote(" \t\n "),
    "json": quote('{"a":[1]}'),
    "commas": quote(",,,"),
    "many_symbols": quote(",".join(f"S{i}" for i in range(2000))),
    "traversal": quote("../../etc/passwd"),
    "html": quote("<script>alert(1)</script>"),
}


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "GET" in e.methods], ids=str)
def test_hostile_query_values_never_break_a_read(endpoint, callers):
    params = KNOWN_PARAMS.get(endpoint.name, ALL_PARAMS) + UNKNOWN_PARAMS
    problems = []
    for param in params:
        for label, value in HOSTILE_VALUES.items():
            response = send("GET", endpoint.path(), query=f"{param}={value}", headers=callers["anonymous"])
            problems += problems_with(response, endpoint=endpoint, method="GET", what=f"{param}={label}")
        for query in (f"{param}=1&{param}=2", f"{param}&{param}=", f"{param}[]=1", f"{param}=%"):
            response = send("GET", endpoint.path(), query=query, headers=callers["anonymous"])
            problems += problems_with(response, endpoint=endpoint, method="GET", what=query)
    everything = "&".join(f"{p}={v}" for p in params for v in ("%ff", "-1", "NaN"))
    for caller, headers in callers.items():
        for method in ("GET", "HEAD"):
            response = send(method, endpoint.path(), query=everything, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} all params")
    report(problems)


def _random_char(rng: random.Random) -> str:
    code = rng.randrange(1, 0x2FFFF)
    return "?" if 0xD800 <= code <= 0xDFFF else chr(code)  # lone surrogates cannot be sent as UTF-8


def _random_values(seed: int, count: int) -> list[str]:
    """Percent-encoded query values from a fixed seed (the same on every run): random
    Unicode text, raw bytes (mostly invalid UTF-8), integers, floats and dates."""
    rng = random.Random(seed)
    makers = [
        lambda: quote("".join(_random_char(rng) for _ in range(rng.randrange(1, 40)))),
        lambda: "".join(f"%{rng.randrange(256):02x}" for _ in range(rng.randrange(1, 24))),
        lambda: str(rng.randrange(-(10**40), 10**40)),
        lambda: repr(rng.uniform(-1e308, 1e308)),
        lambda: f"{rng.randrange(-9999, 99999)}-{rng.randrange(-5, 99)}-{rng.randrange(-5, 99)}",
    ]
    return [rng.choice(makers)() for _ in range(count)]


READ_ENDPOINTS = [e for e in ENDPOINTS if "GET" in e.methods and e.name not in ("schema", "docs")]


@pytest.mark.parametrize("endpoint", READ_ENDPOINTS, ids=str)
def test_random_query_values_get_an_answer_from_the_contract(endpoint, stored_coins):
    rng = random.Random(endpoint.route)
    params = KNOWN_PARAMS.get(endpoint.name, ALL_PARAMS) + UNKNOWN_PARAMS
    problems = []
    for raw in _random_values(seed=len(endpoint.route), count=60):
        param = rng.choice(params)
        response = send("GET", endpoint.path(), query=f"{param}={raw}")
        problems += problems_with(response, endpoint=endpoint, method="GET", what=f"{param}={raw[:60]}")
    report(problems)

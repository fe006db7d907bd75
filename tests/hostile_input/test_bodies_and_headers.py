"""Hostile request bodies and headers (credentials, Accept, Host, Content-Length)."""

import pytest

from tests.hostile_input.harness import ENDPOINTS, problems_with, report, send

pytestmark = pytest.mark.django_db


DEEP = 10_000
HOSTILE_BODIES = {
    "malformed": (b'{"text": "unterminated', "application/json"),
    "list": (b'["a", "b"]', "application/json"),
    "number": (b"42", "application/json"),
    "string": (b'"hello"', "application/json"),
    "null": (b"null", "application/json"),
    "empty": (b"", "application/json"),
    "nan": (b'{"text": NaN, "name": Infinity}', "application/json"),
    "deep_list": (b"[" * DEEP + b"]" * DEEP, "application/json"),
    "deep_object": (b'{"a":' * DEEP + b"1" + b"}" * DEEP, "application/json"),
    "two_mb": (b'{"text": "' + b"a" * 2_000_000 + b'"}', "application/json"),
    "invalid_utf8": (b'{"text": "\xff\xfe"}', "application/json"),
    "bad_charset": (b'{"text": "x"}', "application/json; charset=klingon"),
    "wrong_type_values": (b'{"text": 5, "texts": {"a": 1}, "name": [], "refresh": 1, "token": {}}', "application/json"),
    "huge_numbers": (b'{"text": 1e999999, "expires_at": 99999999999999999999}', "application/json"),
    "form": (b"text=hello&name=x&username=a&password=b", "application/x-www-form-urlencoded"),
    "multipart": (b"--x\r\nContent-Disposition: form-data; name=text\r\n\r\nhi\r\n--x--\r\n", "multipart/form-data"),
    "xml": (b"<text>hi</text>", "application/xml"),
    "no_content_type": (b'{"text": "hi"}', ""),
}
HOSTILE_HEADERS = {
    "bearer_empty": {"Authorization": "Bearer"},
    "bearer_space": {"Authorization": "Bearer "},
    "bearer_junk": {"Authorization": "Bearer not.a.jwt"},
    "bearer_two_parts": {"Authorization": "Bearer a b"},
    "bearer_10kb": {"Authorization": "Bearer " + "x" * 10_240},
    "bearer_latin1": {"Authorization": "Bearer caf\xe9"},
    "bearer_lowercase": {"Authorization": "bearer abc"},
    "basic": {"Authorization": "Basic dXNlcjpwYXNz"},
    "token_scheme": {"Authorization": "Token abc"},
    "authorization_nul": {"Authorization": "Bearer a\x00b"},
    "api_key_empty": {"X-API-Key": ""},
    "api_key_junk": {"X-API-Key": "cdt_zzzz_yyyy"},
    "api_key_prefix_only": {"X-API-Key": "cdt_0123456789ab_"},
    "api_key_sql": {"X-API-Key": "' OR 1=1 --"},
    "api_key_10kb": {"X-API-Key": "k" * 10_240},
    "api_key_latin1": {"X-API-Key": "cl\xe9"},
    "both_junk": {"Authorization": "Bearer x", "X-API-Key": "y"},
    "accept_xml": {"Accept": "application/xml"},
    "accept_junk": {"Accept": "\x00;;;q=abc"},
    "accept_language_junk": {"Accept-Language": "x" * 5000},
    "forwarded_junk": {"X-Forwarded-For": "not-an-ip, ::::, 999.1.1.1"},
    "content_length_junk": {"Content-Length": "-5"},
    "host_invalid": {"Host": "bad host!"},
    "host_huge": {"Host": "h" * 5000 + ".example"},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_hostile_bodies_are_refused_with_the_envelope(endpoint, callers):
    writes = sorted(endpoint.methods & {"POST", "PUT", "PATCH", "DELETE"}) or ["POST"]
    problems = []
    for caller, headers in callers.items():
        for method in writes:
            for label, (body, content_type) in HOSTILE_BODIES.items():
                response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
                problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} body {label}")
    report(problems)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_hostile_headers_are_refused_with_the_envelope(endpoint, stored_coins):
    methods = sorted(endpoint.methods - {"OPTIONS"}) or ["GET"]
    problems = []
    for label, headers in HOSTILE_HEADERS.items():
        for method in methods:
            body, content_type = (b"{}", "application/json") if method in ("POST", "PUT", "PATCH") else (b"", "")
            response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=label)
            if label.startswith("host_") and response.status_code != 400:
                problems.append(f"{method} {endpoint} [{label}]: {response.status_code}, not Django's 400")
    report(problems)

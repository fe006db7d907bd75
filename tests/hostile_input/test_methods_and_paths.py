"""Every method from every caller, junk in the path, unknown paths, HEAD and OPTIONS."""

from urllib.parse import quote

import pytest

from tests.hostile_input.harness import ENDPOINTS, METHODS, problems_with, report, send

pytestmark = pytest.mark.django_db


def test_the_resolver_lists_the_documented_endpoints():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"prices", "market", "ohlcv", "auth-token", "auth-keys", "sentiment-analyze", "news"} <= names


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_method_from_every_caller_answers_without_a_server_error(endpoint, callers):
    problems = []
    for caller, headers in callers.items():
        for method in METHODS:
            body, content_type = (b"{}", "application/json") if method in ("POST", "PUT", "PATCH") else (b"", "")
            response = send(method, endpoint.path(), body=body, content_type=content_type, headers=headers)
            problems += problems_with(response, endpoint=endpoint, method=method, what=caller)
            if method not in endpoint.methods and response.status_code not in (401, 403, 405):
                problems.append(f"{method} {endpoint} [{caller}]: {response.status_code} for an unsupported method")
    report(problems)


JUNK_PATH_VALUES = {
    "nul": "%00",
    "invalid_utf8": "%ff",
    "emoji": quote("🚀"),
    "sql": quote("' OR 1=1 --"),
    "long": "a" * 5000,
    "dots": "..",
    "spaces": "%20%20",
    "html": quote("<b>x</b>"),
}


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "<" in e.route], ids=str)
def test_junk_path_parameters_are_answered_with_the_envelope(endpoint, callers):
    problems = []
    converters = [part.partition(">")[0].rpartition(":")[2] for part in endpoint.route.split("<")[1:]]
    for caller, headers in callers.items():
        for label, junk in JUNK_PATH_VALUES.items():
            path = endpoint.path(**{name: junk for name in converters})
            for method in endpoint.methods | {"GET", "DELETE"}:
                response = send(method, path, headers=headers)
                problems += problems_with(response, endpoint=endpoint, method=method, what=f"{caller} path {label}")
    report(problems)


def test_unknown_paths_under_api_are_404s_with_the_envelope_and_rate_limit_headers(callers):
    problems = []
    (probe,) = [endpoint for endpoint in ENDPOINTS if endpoint.name == "api-unknown"]
    for path in ("/api", "/api/", "/api/nope", "/api/prices/", "/api/%ff", "/api/%00", "/api/" + "a" * 5000, "/api/🚀"):
        for method in METHODS:
            response = send(method, path)
            problems += problems_with(response, endpoint=probe, method=method, what=path[:40])
            if response.status_code != 404:
                problems.append(f"{method} {path[:40]}: {response.status_code}, not 404")
    report(problems)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if "GET" in e.methods], ids=str)
def test_head_answers_like_get_without_a_body(endpoint, callers):
    get = send("GET", endpoint.path(), headers=callers["staff"])
    head = send("HEAD", endpoint.path(), headers=callers["staff"])
    assert (head.status_code, head.content) == (get.status_code, b"")
    assert head["Content-Type"] == get["Content-Type"]
    if endpoint.metered:
        assert head.has_header("X-RateLimit-Remaining")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.view_class is not None], ids=str)
def test_options_lists_the_allowed_methods_in_json(endpoint, callers):
    response = send("OPTIONS", endpoint.path(), headers=callers["staff"])
    if endpoint.name == "api-unknown":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert set(response["Allow"].replace(" ", "").split(",")) == endpoint.methods | {"OPTIONS"}

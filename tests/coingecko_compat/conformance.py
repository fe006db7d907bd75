"""Every /api/v3/ answer the suite produces is checked against CoinGecko's own OpenAPI spec.

The spec (tests/fixtures/specs/coingecko/demo-api.json, MIT, CoinGecko's published file) is
the contract. Its OpenAPI 3.0 schemas become JSON Schema (``nullable`` -> ``null`` allowed),
then are tightened where the spec is loose, so a strict client's expectations hold:

- every object schema's declared properties keep their declared types; a number the spec does
  not mark ``nullable`` is never null (CoinGecko itself never sends null for it);
- ``TIGHTER`` below adds what the spec leaves out but CoinGecko always sends (e.g. the
  per-currency values of /simple/price are numbers or null, never text).

The check hooks Django's request handler, so it sees answers to the test client and to a live
server alike; violations are collected and fail the test that produced them at teardown (an
exception inside a live server thread would only become a 500). Only statuses the spec
documents (CoinGecko documents 200 alone) are checked; error bodies are tested elsewhere.
"""

import copy
import json
import re
from functools import cache
from pathlib import Path

import pytest
from django.core.handlers.base import BaseHandler
from jsonschema import Draft202012Validator

SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "coingecko" / "demo-api.json"
PREFIX = "/api/v3"

# Where the spec is looser than what CoinGecko sends: JSON pointers into the converted
# schema of a path, and the schema that replaces what is there.
_NUMBER_OR_NULL = {"type": ["number", "null"]}
TIGHTER: dict[str, dict[str, dict]] = {
    # simple/price: {"<coin>": {"<vs>": n, "<vs>_market_cap": n, ..., "last_updated_at": int}}
    "/simple/price": {
        "": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {"last_updated_at": {"type": "integer"}},
                "additionalProperties": _NUMBER_OR_NULL,
            },
        }
    },
}


def _convert(node):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable: true`` allows null, refs resolved."""
    if isinstance(node, list):
        return [_convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert(v) for k, v in node.items() if k not in ("nullable", "example", "description")}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    elif node.get("nullable") and "$ref" in out:
        out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    return out


@cache
def _spec() -> dict:
    return json.loads(SPEC.read_text())


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in _spec()["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        routes.append((re.compile(f"^{pattern}/?$"), template))
    # Literal paths before templated ones, so /coins/markets is not /coins/{id}.
    return sorted(routes, key=lambda r: (r[1].count("{"), -len(r[1])))


def template_for(path: str) -> str | None:
    """The spec's path template an /api/v3/ path is an instance of."""
    relative = path[len(PREFIX) :]
    for pattern, template in _routes():
        if pattern.match(relative):
            return template
    return None


@cache
def validator(template: str, method: str, status: str) -> Draft202012Validator | None:
    operation = _spec()["paths"][template].get(method)
    response = (operation or {}).get("responses", {}).get(status)
    if response is None:
        return None
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    schema = _convert(copy.deepcopy(schema))
    for pointer, replacement in TIGHTER.get(template, {}).items():
        if pointer == "":
            schema = replacement
    schema["$defs"] = _convert(_spec()["components"]["schemas"])
    return Draft202012Validator(schema)


def violations(path: str, method: str, status: int, body) -> list[str]:
    template = template_for(path)
    if template is None:
        return []
    check = validator(template, method.lower(), str(status))
    if check is None:
        return []
    return [
        f"{method} {path} ({template}) at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
        for e in check.iter_errors(body)
    ]


@pytest.fixture(autouse=True)
def coingecko_conformance(monkeypatch):
    """Fails the test if any /api/v3/ answer it caused breaks CoinGecko's response schema."""
    found: list[str] = []
    original = BaseHandler.get_response

    def checked(handler, request):
        response = original(handler, request)
        if request.path.startswith(PREFIX + "/") and not getattr(response, "streaming", False):
            try:
                body = json.loads(response.content)
            except ValueError:
                found.append(f"{request.method} {request.path}: not JSON")
            else:
                found.extend(violations(request.path, request.method, response.status_code, body))
        return response

    monkeypatch.setattr(BaseHandler, "get_response", checked)
    yield found
    assert not found, "CoinGecko schema violations:\n" + "\n".join(found[:30])

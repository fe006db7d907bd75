"""The OpenAPI document's shared parts, in one place instead of on every view.

- ``AutoSchema`` declares anonymous access (an empty security requirement) on every
  operation whose permission lets anonymous callers in (``allows_anonymous``).
- ``document_errors`` (a drf-spectacular postprocessing hook) adds the error answers
  every operation can give, with their bodies: the project envelope under /api/, and
  CoinGecko's shapes under /api/v3/ (markets/api/coingecko/views.py). Statuses a view
  documents itself are left alone.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ENVELOPE = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}
COINGECKO_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
COINGECKO_RATE_LIMITED = {
    "type": "object",
    "properties": {
        "status": {
            "type": "object",
            "properties": {"error_code": {"type": "integer"}, "error_message": {"type": "string"}},
            "required": ["error_code", "error_message"],
        }
    },
    "required": ["status"],
}
DESCRIPTIONS = {
    "400": "Invalid parameter or malformed body.",
    "401": "Missing, invalid, expired or revoked credentials.",
    "403": "The caller may not do this.",
    "404": "No such coin, key or object.",
    "406": "No representation for the Accept header.",
    "413": "The request body is too large (MAX_REQUEST_BYTES).",
    "415": "The body is not JSON.",
    "422": "A required parameter is missing (CoinGecko's answer).",
    "429": "Over the rate limit; Retry-After says when to come back.",
    "503": "No data and no provider reachable, or the database is busy; see Retry-After.",
}
# Probes and the schema itself are never metered (accounts.ratelimit.EXEMPT_URL_NAMES).
UNMETERED = {"/api/health", "/api/health/ready", "/api/schema/", "/api/docs/"}


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(
            getattr(permission, "allows_anonymous", lambda _method: False)(self.method)
            for permission in self.view.get_permissions()
        )
        if anonymous and {} not in auths:
            auths.append({})
        return auths


def _statuses(path: str, method: str, operation: dict) -> list[str]:
    statuses = ["400", "404", "406", "503"]
    # Credentials are checked wherever they are accepted, and the token endpoints answer
    # wrong passwords and dead tokens with 401 although they take no credentials.
    if (operation.get("security") and operation["security"] != [{}]) or path.startswith("/api/auth/"):
        statuses += ["401", "403"]
    if path not in UNMETERED:
        statuses.append("429")
    if "requestBody" in operation:
        statuses += ["413", "415"]
    if path.startswith("/api/v3/"):
        statuses.append("422")
    return statuses


def document_errors(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ENVELOPE
    components["CoinGeckoError"] = COINGECKO_ERROR
    components["CoinGeckoRateLimited"] = COINGECKO_RATE_LIMITED
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in _statuses(path, method, operation):
                if status in responses:
                    continue
                if path.startswith("/api/v3/"):
                    name = "CoinGeckoRateLimited" if status == "429" else "CoinGeckoError"
                else:
                    name = "ErrorEnvelope"
                responses[status] = {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                }
    return result

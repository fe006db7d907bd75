"""The one error envelope of the public API.

Every error under /api/ — from DRF views, Django's own 400/403/404/500 handlers and
domain exceptions raised by services — leaves as
``{"error": {"code", "message", "details"}}`` with the matching status code.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views import csrf as csrf_views
from django.views import defaults
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A domain error that services and selectors raise and the API turns into JSON."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.details = details or {}
        self.status_code = status or self.status_code


class InvalidParameter(ApiError):
    code = "invalid_parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__(message, details={"parameter": parameter})


class NotFoundError(ApiError):
    status_code = 404
    code = "not_found"


class NoDataAvailable(ApiError):
    """All providers failed and nothing is stored: 503 (docs/API.md)."""

    status_code = 503
    code = "no_data"


def envelope(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(status: int, code: str, message: str, details: dict | None = None, headers=None) -> JsonResponse:
    response = JsonResponse(envelope(code, message, details), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


_DRF_CODES = {
    drf.ParseError: "malformed_body",
    drf.AuthenticationFailed: "invalid_credentials",
    drf.NotAuthenticated: "not_authenticated",
    drf.PermissionDenied: "forbidden",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.Throttled: "rate_limited",
    drf.ValidationError: "invalid_parameter",
}


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            return f"{key}: {_flatten(value)}" if key != "non_field_errors" else _flatten(value)
        return "Invalid input."
    if isinstance(detail, list):
        return _flatten(detail[0]) if detail else "Invalid input."
    return str(detail)


def _too_large() -> JsonResponse:
    message = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (MAX_REQUEST_BYTES)."
    return error_response(413, "payload_too_large", message)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: map every exception to the envelope."""
    if isinstance(exc, ApiError):
        return Response(envelope(exc.code, exc.message, exc.details), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Raised when a view first reads request.data: inside DRF, so Django's handler400 never sees it.
        return _too_large()
    if isinstance(exc, SuspiciousOperation):
        return Response(envelope("bad_request", "The request could not be understood."), status=400)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, drf.APIException):
        code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
        details = exc.detail if isinstance(exc, drf.ValidationError) and isinstance(exc.detail, dict) else {}
        if isinstance(exc, drf.ValidationError) and isinstance(exc.detail, dict):
            details = {"fields": exc.detail, "parameter": next(iter(exc.detail), None)}
        headers = {}
        if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        return Response(envelope(code, _flatten(exc.detail), details), status=exc.status_code, headers=headers)

    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__ if context.get("view") else "view")
    return Response(envelope("internal_error", "The server hit an unexpected error."), status=500)


# Django-level handlers (wired in cryptodt/urls.py) for errors that never reach DRF:
# unknown URLs, SuspiciousOperation, CSRF failures and crashes outside DRF views.
# Pages outside /api/ (admin, dashboard) keep Django's HTML pages.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _too_large()
    return error_response(400, "bad_request", "The request could not be understood.")


def permission_denied(request, exception=None):
    if not _is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, "forbidden", "You are not allowed to do this.")


def page_not_found(request, exception=None):
    if not _is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, "not_found", "No such endpoint.", {"path": request.path[:200]})


def server_error(request):
    if not _is_api(request):
        return defaults.server_error(request)
    return error_response(500, "internal_error", "The server hit an unexpected error.")


def csrf_failure(request, reason=""):
    if not _is_api(request):
        return csrf_views.csrf_failure(request, reason)
    return error_response(403, "csrf_failed", "CSRF verification failed.")

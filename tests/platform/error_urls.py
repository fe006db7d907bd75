"""A test-only URLconf with views that fail in each way the envelope must cover,
for statuses that no product endpoint produces yet."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.api.errors import InvalidParameter


class EchoView(APIView):
    def post(self, request):
        return Response({"received": request.data})


class InvalidParameterView(APIView):
    def get(self, request):
        raise InvalidParameter("vs", "Unknown currency 'xyz'.")


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"ok": True})


class ForbiddenView(APIView):
    def get(self, request):
        raise exceptions.PermissionDenied()


class ThrottledView(APIView):
    def get(self, request):
        raise exceptions.Throttled(wait=12.3)


class CrashingApiView(APIView):
    def get(self, request):
        raise RuntimeError("secret internals")


def crashing_plain_view(request):
    raise RuntimeError("secret internals")


def suspicious_plain_view(request):
    raise SuspiciousOperation("tampered")


def forbidden_plain_view(request):
    raise PermissionDenied


urlpatterns = [
    path("api/echo", EchoView.as_view()),
    path("api/invalid-parameter", InvalidParameterView.as_view()),
    path("api/private", PrivateView.as_view()),
    path("api/forbidden", ForbiddenView.as_view()),
    path("api/throttled", ThrottledView.as_view()),
    path("api/crash", CrashingApiView.as_view()),
    path("api/plain/crash", crashing_plain_view),
    path("api/plain/suspicious", suspicious_plain_view),
    path("api/plain/forbidden", forbidden_plain_view),
    path("", include("cryptodt.urls")),
]

handler400 = "cryptodt.api.errors.bad_request"
handler403 = "cryptodt.api.errors.permission_denied"
handler404 = "cryptodt.api.errors.page_not_found"
handler500 = "cryptodt.api.errors.server_error"

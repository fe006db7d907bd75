"""Test-only endpoints: a read, a write and an expensive read, each behind the
project's default authentication, permission and rate limit — exactly what the other
apps' views get — plus the real account endpoints."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.api.errors import InvalidParameter


class ReadView(APIView):
    def get(self, request):
        if request.query_params.get("fail") == "1":
            raise InvalidParameter("fail", "asked to fail")
        return Response({"data": "ok"})

    def post(self, request):
        return Response({"data": "written"}, status=201)


class ExpensiveView(APIView):
    def rate_cost(self, request) -> int:
        return int(request.query_params.get("cost", "1"))

    def get(self, request):
        return Response({"data": "expensive"})


class UnmeteredView(APIView):
    rate_limited = False

    def get(self, request):
        return Response({"data": "free of charge"})


urlpatterns = [
    path("api/test/read", ReadView.as_view()),
    path("api/test/expensive", ExpensiveView.as_view()),
    path("api/test/unmetered", UnmeteredView.as_view()),
    path("api/", include("accounts.api.urls")),
    path("", include("cryptodt.urls")),
]

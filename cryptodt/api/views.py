from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.health import run_checks


class HealthView(APIView):
    """Liveness: the database and cache answer. 200 while not down, 503 when down."""

    authentication_classes = []
    permission_classes = [AllowAny]
    liveness_only = True

    @extend_schema(responses={200: dict, 503: dict})
    def get(self, request):
        report = run_checks(liveness_only=self.liveness_only)
        return Response(report, status=503 if report["status"] == "down" else 200)


class ReadinessView(HealthView):
    """Every dependency: database, cache, channel layer, task queue, providers, data age."""

    liveness_only = False

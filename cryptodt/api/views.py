from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt import diagnostics
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


class DiagnosticsFixSerializer(serializers.Serializer):
    fix = serializers.BooleanField()


class DiagnosticsView(APIView):
    """Staff only: every self-check with ``ok``, ``detail``, ``fixable``; POST ``{"fix": true}``
    applies the safe fixes, then checks again (docs/streaming.md, Diagnostics)."""

    permission_classes = [IsAdminUser]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(diagnostics.run_all())

    @extend_schema(request=DiagnosticsFixSerializer, responses={200: dict})
    def post(self, request):
        body = DiagnosticsFixSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(diagnostics.fix_all() if body.validated_data["fix"] else diagnostics.run_all())

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt import diagnostics
from cryptodt.api.errors import NotFoundError
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


class JSONErrorsMixin:
    """For views whose success is not JSON (the OpenAPI YAML, the Swagger HTML page): errors
    and OPTIONS answers still leave as JSON, where those renderers would write YAML, a bare
    HTML page or crash on data they have no template for."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 or request.method == "OPTIONS":
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
            response.renderer_context = self.get_renderer_context()
        return response


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    pass


class DocsView(JSONErrorsMixin, SpectacularSwaggerView):
    pass


class UnknownEndpointView(APIView):
    """Every path under /api/ that names no endpoint (the last URL pattern). A DRF view rather
    than Django's handler404, so the 404 is counted and carries X-RateLimit-* like every other
    API response (docs/API.md), and bad credentials are still a 401."""

    permission_classes = [AllowAny]
    schema = None  # not an endpoint of the OpenAPI document

    def get(self, request, *args, **kwargs):
        raise NotFoundError("No such endpoint.", details={"path": request.path[:200]})

    post = put = patch = delete = options = http_method_not_allowed = get

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.status import capability_rows, provider_rows


class ProvidersView(APIView):
    """GET /api/providers: one row per provider (condition and why, circuit state, last
    success/error, latency, budget) and, per capability, which providers are live now."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        rows = provider_rows()
        return Response({"data": rows, "capabilities": capability_rows(rows)})

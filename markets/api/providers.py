from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.status import provider_rows


class ProvidersView(APIView):
    """GET /api/providers: one row per provider (circuit state, last success/error, latency, budget)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"data": provider_rows()})

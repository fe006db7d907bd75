from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from markets.api.serializers import DaysQuery, validated
from markets.api.views import ReadView
from markets.services.cache import cached
from sentiment import selectors


class FearGreedView(ReadView):
    @extend_schema(parameters=[DaysQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        days = validated(DaysQuery, request)["days"]
        return Response(cached("fear_greed", (days,), 600, lambda: selectors.fear_greed(days=days)))

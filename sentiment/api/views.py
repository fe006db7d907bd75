from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.api.queries import DaysQuery, validated
from cryptodt.api.reads import ReadView
from cryptodt.data_cache import cached
from sentiment import selectors, services
from sentiment.api.serializers import MAX_TEXTS, AnalyzeInput, AnalyzeMany, AnalyzeOne, NewsQuery, SummaryQuery

# Seconds a payload may be served from the cache; newly stored articles invalidate it at once.
NEWS_TTL = 120


class FearGreedView(ReadView):
    @extend_schema(parameters=[DaysQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        days = validated(DaysQuery, request)["days"]

        def build() -> dict:
            services.fill_fear_greed(days=days)
            return selectors.fear_greed(days=days)

        return Response(cached("fear_greed", (days,), 600, build))


class AnalyzeView(APIView):
    permission_classes = [IsAuthenticated]
    body_error: APIException | None = None

    def rate_cost(self, request) -> int:
        """Inference is the expensive part: 2 units, and one more for every 8 texts."""
        try:
            body = request.data
        except APIException as exc:
            # DRF parses a body once; keep the reason so post() refuses with it, not with "text missing".
            self.body_error = exc
            return 1
        texts = body.get("texts") if isinstance(body, dict) else None
        count = min(len(texts), MAX_TEXTS) if isinstance(texts, list) else 1
        return 2 + count // 8

    @extend_schema(
        # Exactly one of text and texts: oneOf the two forms, as AnalyzeInput.validate checks.
        request=PolymorphicProxySerializer(
            component_name="AnalyzeInput", serializers=[AnalyzeOne, AnalyzeMany], resource_type_field_name=None
        ),
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        if self.body_error is not None:
            raise self.body_error
        serializer = AnalyzeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(selectors.analyze(texts=serializer.texts_to_score()))


class NewsView(ReadView):
    @extend_schema(parameters=[NewsQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = validated(NewsQuery, request)
        args = {"symbol": params.get("symbol"), "since": params.get("since"), "limit": params["limit"]}
        key = ("list", (args["symbol"] or "").upper(), args["since"], args["limit"])
        return Response(cached("news", key, NEWS_TTL, lambda: selectors.news(**args)))


class SentimentSummaryView(ReadView):
    @extend_schema(parameters=[SummaryQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = validated(SummaryQuery, request)
        symbol, hours = params.get("symbol"), params["hours"]
        return Response(selectors.summary(symbol=symbol, hours=hours))

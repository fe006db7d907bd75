from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from markets.api.serializers import DaysQuery, validated
from markets.api.views import ReadView
from markets.services.cache import cached
from sentiment import selectors
from sentiment.api.serializers import MAX_TEXTS, AnalyzeInput


class FearGreedView(ReadView):
    def get(self, request):
        days = validated(DaysQuery, request)["days"]
        return Response(cached("fear_greed", (days,), 600, lambda: selectors.fear_greed(days=days)))


class AnalyzeView(APIView):
    permission_classes = [IsAuthenticated]

    def rate_cost(self, request) -> int:
        """Inference is the expensive part: 2 units, and one more for every 8 texts."""
        try:
            body = request.data
        except APIException:
            return 1  # a body that does not parse is refused with a 400 before any work
        texts = body.get("texts") if isinstance(body, dict) else None
        count = min(len(texts), MAX_TEXTS) if isinstance(texts, list) else 1
        return 2 + count // 8

    def post(self, request):
        serializer = AnalyzeInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(selectors.analyze(texts=serializer.texts_to_score()))

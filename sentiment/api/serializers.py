"""Input serializers for the sentiment and news endpoints: a bad value is a 400 naming it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cryptodt.api.queries import NOT_BLANK, Moment, Query, Symbol

MAX_TEXTS = 64
MAX_TEXT_CHARS = 5_000


@extend_schema_field({"type": "string", "pattern": NOT_BLANK, "maxLength": MAX_TEXT_CHARS})
class StrictText(serializers.CharField):
    """A non-empty string; numbers, booleans and objects are not text."""

    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_TEXT_CHARS, allow_blank=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.")
        return super().to_internal_value(data)


class AnalyzeInput(serializers.Serializer):
    text = StrictText(required=False)
    texts = serializers.ListField(child=StrictText(), min_length=1, max_length=MAX_TEXTS, required=False)

    def validate(self, attrs):
        if ("text" in attrs) == ("texts" in attrs):
            raise serializers.ValidationError({"text": 'Give either "text": "..." or "texts": ["...", ...].'})
        return attrs

    def texts_to_score(self) -> list[str]:
        data = self.validated_data
        return data["texts"] if "texts" in data else [data["text"]]


class AnalyzeOne(serializers.Serializer):
    """The document's first form of AnalyzeInput."""

    text = StrictText()


class AnalyzeMany(serializers.Serializer):
    """The document's second form of AnalyzeInput."""

    texts = serializers.ListField(child=StrictText(), min_length=1, max_length=MAX_TEXTS)


class NewsQuery(Query):
    symbol = Symbol(required=False)
    since = Moment(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)


class SummaryQuery(Query):
    symbol = Symbol(required=False)
    hours = serializers.IntegerField(min_value=1, max_value=24 * 30, default=24)

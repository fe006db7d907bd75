"""Query-string parsing every read endpoint shares: a bad parameter is a 400 naming it."""

import re
from datetime import UTC, datetime

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAXSYMBOLS = 50
SYMBOL = re.compile(r"^[A-Za-z0-9$._-]{1,40}$")
COIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,199}$")
EARLIEST = datetime(2009, 1, 3, tzinfo=UTC)
# A DRF CharField's text as the document states it: DRF trims it and refuses it blank, and
# refuses a NUL character (ProhibitNullCharactersValidator).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _list_pattern(item: re.Pattern) -> str:
    """The OpenAPI pattern of a comma-separated list of up to MAXSYMBOLS ``item``s."""
    one = item.pattern.removeprefix("^").removesuffix("$")
    return f"^{one}(,{one}){{0,{MAXSYMBOLS - 1}}}$"


class SymbolList(serializers.CharField):
    """Comma-separated tickers (BTC,ETH), at most MAXSYMBOLS. The document states the rule
    as a pattern (queries.SymbolListExtension), so schema-valid lists are accepted."""

    def __init__(self, *, pattern: re.Pattern = SYMBOL, what: str = "symbol", **kwargs):
        self.pattern, self.what = pattern, what
        super().__init__(max_length=MAXSYMBOLS * 45, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise serializers.ValidationError(f"Give at least one {self.what}.")
        if len(items) > MAXSYMBOLS:
            raise serializers.ValidationError(f"At most {MAXSYMBOLS} {self.what}s per request.")
        for item in items:
            if not self.pattern.match(item):
                raise serializers.ValidationError(f"{item[:50]!r} is not a valid {self.what}.")
        return items


class SymbolListExtension(OpenApiSerializerFieldExtension):
    target_class = "cryptodt.api.queries.SymbolList"

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": _list_pattern(self.target.pattern)}


@extend_schema_field({"type": "string", "pattern": SYMBOL.pattern, "maxLength": 40})
class Symbol(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=40, **kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data).strip()
        if not SYMBOL.match(text):
            raise serializers.ValidationError(f"{text[:50]!r} is not a valid symbol.")
        return text


# Moment's forms as the document states them: a date or a date-time (minutes, optional
# seconds and fraction, Z or an offset) from 2010 to 2099, or unix seconds in that span.
# The server also takes 2009-01-03 onwards, ISO week forms and 2100; the pattern keeps to
# what is valid on every day (day 29-31 are left to the server) so valid is accepted.
_DAY = r"20[1-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
_TIME = r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?"
MOMENT_PATTERN = rf"^({_DAY}({_TIME})?|1[3-9][0-9]{{8}}|[23][0-9]{{9}})$"


@extend_schema_field({"type": "string", "pattern": MOMENT_PATTERN})
class Moment(serializers.Field):
    """ISO-8601 (``2025-01-31``, ``2025-01-31T12:00:00Z``) or unix seconds."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 40:
            raise serializers.ValidationError("Use ISO-8601 (2025-01-31T00:00:00Z) or unix seconds.")
        text = data.strip()
        try:
            if re.fullmatch(r"\d{1,11}(\.\d+)?", text):
                value = datetime.fromtimestamp(float(text), tz=UTC)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except (ValueError, OverflowError, OSError):
            raise serializers.ValidationError("Use ISO-8601 (2025-01-31T00:00:00Z) or unix seconds.")
        if value < EARLIEST or value.year > 2100:
            raise serializers.ValidationError("The date is out of range.")
        return value


class Query(serializers.Serializer):
    """Lower-cases ``vs`` before checking it; unknown parameters are ignored, as browsers add some."""

    def to_internal_value(self, data):
        data = data.copy() if hasattr(data, "copy") else dict(data)
        if isinstance(data.get("vs"), str):
            data["vs"] = data["vs"].strip().lower()
        return super().to_internal_value(data)


class DaysQuery(Query):
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)


def validated(serializer_class: type[serializers.Serializer], request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

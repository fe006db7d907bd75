"""Renderers that print stored Decimals exactly, as JSON numbers or CSV cells.

Python's json module can only write a Decimal through float (losing digits) or as a
string, so payloads are encoded here: strings by json's own C escaper, Decimals as
their own digits, so ``0.00001234`` is written ``0.00001234`` (a JSON number) and a
13-digit market cap keeps every digit.
"""

import csv
import io
import json
from decimal import Decimal

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


def decimal_text(value: Decimal) -> str:
    """Shortest plain (no exponent) text with every significant digit."""
    text = str(value)
    if "E" not in text:
        return text.rstrip("0").rstrip(".") if "." in text else text
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


_encode_str = json.encoder.encode_basestring  # the C implementation, as json.dumps uses
_fallback = JSONEncoder()


def encode(value) -> str:
    """JSON text of the payload shapes the API returns, Decimals as their own digits."""
    if isinstance(value, str):
        return _encode_str(value)
    if isinstance(value, Decimal):
        return decimal_text(value) if value.is_finite() else "null"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_encode_str(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(map(encode, value)) + "]"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, cls=JSONEncoder, ensure_ascii=False)


class RenderedJSON:
    """A body this renderer produced earlier (cryptodt.data_cache.cached_rendered)."""

    __slots__ = ("content",)

    def __init__(self, content: bytes):
        self.content = content


class ExactJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, RenderedJSON):
            return data.content
        return encode(data).encode()


class CSVRenderer(BaseRenderer):
    """``format=csv`` for history and candles: one header row, then ``data``'s rows."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("data") if isinstance(data, dict) else None
        if not isinstance(rows, list):  # an error envelope: render it as JSON
            if renderer_context and renderer_context.get("response") is not None:
                renderer_context["response"]["Content-Type"] = "application/json"
            return ExactJSONRenderer().render(data)
        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: decimal_text(v) if isinstance(v, Decimal) else v for k, v in row.items()})
        return buffer.getvalue().encode()

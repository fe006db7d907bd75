"""Renderers that print stored Decimals exactly, as JSON numbers or CSV cells.

Python's json module can only write a Decimal through float (losing digits) or as a
string. Decimals are swapped for a per-response marker string, encoded, and the
quoted markers replaced by the Decimal's own digits, so ``0.00001234`` is written
``0.00001234`` (a JSON number) and a 13-digit market cap keeps every digit.
"""

import csv
import io
import json
import re
import secrets
from decimal import Decimal

from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


def decimal_text(value: Decimal) -> str:
    """Shortest plain (no exponent) text with every significant digit."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _mark(data, token: str):
    if isinstance(data, Decimal):
        return f"{token}{decimal_text(data)}" if data.is_finite() else None
    if isinstance(data, dict):
        return {key: _mark(value, token) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_mark(value, token) for value in data]
    return data


class ExactJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        token = f"~dec{secrets.token_hex(6)}~"
        text = json.dumps(_mark(data, token), cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"))
        return re.sub(f'"{re.escape(token)}(-?[0-9.]+)"', r"\1", text).encode()


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

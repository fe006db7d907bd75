"""The dashboard's pages. Server-rendered from the selectors, so a page load costs the
caller one request of their rate limit, not one per panel; the browser only opens the
live price feed and fetches what the visitor asks for (another candle interval or range).

They are DRF views for one reason: the API's own authentication, ANON_READS permission
and tier limit apply unchanged. Without anonymous reads the page asks for an API key,
which the browser keeps (localStorage) and sends as X-API-Key (static/dashboard/app.js).
"""

from datetime import datetime

from django.conf import settings
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.views import APIView

from dashboard import panels


def _chart(rows: list[dict] | None, *fields: str) -> list[dict]:
    """Rows for lightweight-charts: UNIX seconds and plain numbers, oldest first."""
    points = []
    for row in rows or []:
        point = {"time": int(datetime.fromisoformat(row["t"].replace("Z", "+00:00")).timestamp())}
        for field in fields:
            value = row.get(field)
            point["value" if field == "price" else field] = float(value) if value is not None else None
        points.append(point)
    return points


class Page(APIView):
    renderer_classes = [TemplateHTMLRenderer]
    template_name = ""

    def context(self, request, **kwargs) -> dict:
        return {}

    @extend_schema(exclude=True)  # pages, not API: kept out of the OpenAPI schema
    def get(self, request, **kwargs):
        context = self.context(request, **kwargs)
        if context is None:
            return render(request, "dashboard/not_found.html", {"what": kwargs}, status=404)
        return render(request, self.template_name, {**context, "anon_reads": settings.ANON_READS})

    def handle_exception(self, exc):
        # The browser gets a page it can act on, not the API's JSON envelope.
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            refused = isinstance(exc, exceptions.AuthenticationFailed)
            return render(self.request, "dashboard/locked.html", {"refused": refused}, status=401)
        if isinstance(exc, exceptions.Throttled):
            wait = int(exc.wait or 60)
            response = render(self.request, "dashboard/limited.html", {"wait": wait}, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().handle_exception(exc)


class OverviewView(Page):
    template_name = "dashboard/overview.html"

    def context(self, request, **kwargs) -> dict:
        return panels.overview()


class CoinView(Page):
    template_name = "dashboard/coin.html"

    def context(self, request, symbol: str = "", **kwargs) -> dict | None:
        found = panels.coin(symbol)
        if found is None:
            return None
        candles = found["candles"]
        history = found["history"]
        found["chart"] = {
            "symbol": found["coin"].symbol,
            "interval": "1h",
            "days": panels.HISTORY_DAYS,
            "candles": _chart(candles["data"] if candles else None, "open", "high", "low", "close"),
            "history": _chart(history["data"] if history else None, "price"),
        }
        return found

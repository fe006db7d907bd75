"""The base of every read endpoint: query serializer → selector (through the data cache) →
exact JSON or CSV, with the rendered answer kept per exact request."""

from collections.abc import Callable
from functools import cache

from django.http import Http404
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.api.errors import InvalidParameter
from cryptodt.api.renderers import CSVRenderer, ExactJSONRenderer, RenderedJSON, encode
from cryptodt.data_cache import cached_rendered

# Seconds a payload may be served from the cache; new data invalidates it at once anyway.
TTL = {"prices": 30, "market": 60, "trending": 120, "ohlcv": 60, "history": 120, "defi": 600}


class ReadView(APIView):
    renderer_classes = [ExactJSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)
        except (NotFound, Http404):  # ?format=xyz names no renderer of this view
            self.renderer_classes = [ExactJSONRenderer]
            raise InvalidParameter("format", "Unsupported format; use json (or csv where offered).")

    def rate_cost(self, request) -> int:
        return 1

    def answer(self, request, *, kind: str, query: type[serializers.Serializer] | None, build: Callable[[], dict]):
        return answer(request, kind=kind, query=query, build=build)


def answer(request, *, kind: str, query: type[serializers.Serializer] | None, build: Callable[[], dict]) -> Response:
    """``build()``'s payload; for requests naming only ``query``'s parameters, the rendered
    answer is kept per exact request (see cached_rendered), so a repeat costs one cache read.
    Requests with unknown parameters (ignored by validation) are built every time rather
    than let arbitrary query strings fill the cache."""
    params = request.query_params
    if not params.keys() <= _parameter_names(query):
        return Response(build())
    key = rendered_request_key(request.path, params)
    return Response(RenderedJSON(cached_rendered(kind, key, TTL[kind], lambda: encode(build()).encode())))


def rendered_request_key(path: str, params) -> tuple:
    """The exact-request key of a rendered answer (``answer`` and cryptodt.fastpath)."""
    return (path, sorted(params.lists()))


@cache
def _parameter_names(query: type[serializers.Serializer] | None) -> frozenset[str]:
    return frozenset(query().fields if query else ()) | {"format"}


class CSVReadView(ReadView):
    renderer_classes = [ExactJSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(request, "accepted_renderer", None) and request.accepted_renderer.format == "csv":
            if response.status_code == 200:
                name = f"{self.csv_name}.csv".replace('"', "")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    csv_name = "data"

"""DRF's content negotiation, without parsing an Accept header that says nothing.

Most API calls (curl, scripts, wrk) send no Accept header or ``*/*`` and no ``?format=``;
DRF then parses that header into media-type objects on every request only to pick the
view's first renderer (~0.1 ms, BENCHMARKS.md "http path"). That case is answered
directly; every other request goes through DRF's negotiation unchanged.
"""

from rest_framework.negotiation import DefaultContentNegotiation

_ANYTHING = frozenset({"", "*/*"})


class FastDefaultContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and renderers
            and request.META.get("HTTP_ACCEPT", "").strip() in _ANYTHING
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)

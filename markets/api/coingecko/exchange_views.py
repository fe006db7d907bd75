"""/api/v3/exchanges, /exchanges/list and /coins/{id}/tickers from storage (markets.api.coingecko.exchanges)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from cryptodt.api.reads import TTL
from cryptodt.data_cache import cached
from markets.api.coingecko import exchanges as reads
from markets.api.coingecko import selectors as gecko
from markets.api.coingecko import serializers as q
from markets.api.coingecko.views import _ARRAY_OF_OBJECTS, CoinGeckoView, _stored


class ExchangesView(CoinGeckoView):
    @extend_schema(parameters=[q.ExchangesQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        params = q.validated(q.ExchangesQuery, request)
        key = ("cg-exchanges", params["per_page"], params["page"])

        def build() -> list:
            return _stored(reads.exchanges(per_page=params["per_page"], page=params["page"]), "exchanges")

        return Response(cached("market", key, TTL["market"], build))


class ExchangesListView(CoinGeckoView):
    @extend_schema(parameters=[q.ExchangesListQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        status = q.validated(q.ExchangesListQuery, request)["status"]
        key = ("cg-exchanges-list", status)
        return Response(
            cached("market", key, TTL["market"], lambda: _stored(reads.exchanges_list(status=status), "exchanges"))
        )


class TickersView(CoinGeckoView):
    """The stored tickers of the exchanges cryptodt asks itself; CoinGecko is not asked."""

    @extend_schema(parameters=[q.TickersQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        params = q.validated(q.TickersQuery, request)
        wanted = [x.strip() for x in params.get("exchange_ids", "").split(",") if x.strip()] or None
        args = {
            "exchange_ids": wanted,
            "logo": params["include_exchange_logo"],
            "page": params["page"],
            "order": params.get("order") or "trust_score_desc",
        }
        key = ("cg-tickers", coin_id, tuple(wanted or ()), args["logo"], args["page"], args["order"])

        def build() -> dict:
            return reads.tickers(coin=gecko.coin(coin_id=coin_id), **args)

        # "prices": a ticker changes with every quote the exchanges send.
        return Response(cached("prices", key, TTL["prices"], build))

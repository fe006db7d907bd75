"""Read endpoints: query serializer → selector (through the data cache) → exact JSON or CSV."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from cryptodt.api.errors import InvalidParameter, NoDataAvailable
from cryptodt.api.reads import TTL, CSVReadView, ReadView
from cryptodt.data_cache import cached
from markets import selectors, selectors_defi
from markets.api import serializers as q
from markets.services import on_demand

__all__ = ["TTL", "CSVReadView", "ReadView"]


class PricesView(ReadView):
    @extend_schema(parameters=[q.PricesQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return self.answer(request, kind="prices", query=q.PricesQuery, build=lambda: self.prices(request))

    @staticmethod
    def prices(request) -> dict:
        params = q.validated(q.PricesQuery, request)
        coins = []
        if params.get("symbols"):
            coins += selectors.resolve_symbols(symbols=params["symbols"])
        if params.get("ids"):
            coins += selectors.resolve_ids(ids=params["ids"])
        if not params.get("symbols") and not params.get("ids"):
            coins = selectors.tracked_coins(limit=q.DEFAULT_COINS)
            if not coins:
                raise NoDataAvailable("The coin list is not collected yet.", details={"not_collected_yet": True})
        coins = list({coin.pk: coin for coin in coins}.values())  # a coin named both ways is one row
        # Rows by symbol, whatever order the caller named them in: every order of one set of
        # coins is one cache entry (cryptodt.data_cache.canonical_query).
        coins = sorted(coins, key=lambda c: (c.symbol.upper(), c.coin_id))
        key = (tuple(c.pk for c in coins), params["vs"])

        def build() -> dict:
            tried = on_demand.fill_quotes(coins=coins, vs=params["vs"])
            return selectors.latest_prices(coins=coins, vs=params["vs"], tried=tried)

        return cached("prices", key, TTL["prices"], build)


class MarketView(ReadView):
    @extend_schema(parameters=[q.MarketQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return self.answer(request, kind="market", query=q.MarketQuery, build=lambda: self.market(request))

    @staticmethod
    def market(request) -> dict:
        params = q.validated(q.MarketQuery, request)
        if params["vs"] not in selectors.COLLECTED_VS:
            raise InvalidParameter("vs", f"The market listing is collected in {', '.join(selectors.COLLECTED_VS)}.")
        key = (params["limit"], params["vs"])
        return cached("market", key, TTL["market"], lambda: selectors.market(**params))


class TrendingView(ReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        build = lambda: cached("trending", (), TTL["trending"], selectors.trending)  # noqa: E731
        return self.answer(request, kind="trending", query=None, build=build)


class OHLCVView(CSVReadView):
    @extend_schema(parameters=[q.OHLCVQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = q.validated(q.OHLCVQuery, request)
        coin = selectors.resolve_symbol(symbol=params["symbol"])
        self.csv_name = f"{coin.symbol}-{params['interval']}"
        args = {"interval": params["interval"], "start": params.get("start"), "end": params.get("end")}
        key = (coin.pk, *args.values(), params["limit"])

        def build() -> dict:
            tried = on_demand.fill_candles(coin=coin, **args)
            return selectors.candles(coin=coin, limit=params["limit"], tried=tried, **args)

        return Response(cached("ohlcv", key, TTL["ohlcv"], build))


class PriceHistoryView(CSVReadView):
    def rate_cost(self, request) -> int:
        try:
            days = int(request.query_params.get("days", 30))
        except (TypeError, ValueError):
            return 1
        # Up to 30 days is one unit; longer ranges read more rows and cost one more unit per
        # started 90 days beyond the first month, so a year (5) stays within the anonymous minute.
        days = max(1, min(days, 365))
        return 1 if days <= 30 else 2 + (days - 31) // 90

    @extend_schema(parameters=[q.HistoryQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = q.validated(q.HistoryQuery, request)
        coin = selectors.resolve_symbol(symbol=params["symbol"])
        self.csv_name = f"{coin.symbol}-{params['days']}d"
        args = {"days": params["days"], "resolution": params["resolution"], "vs": params["vs"]}
        key = (coin.pk, *args.values())

        def build() -> dict:
            tried = on_demand.fill_history(coin=coin, days=args["days"], vs=args["vs"])
            return selectors.price_history(coin=coin, tried=tried, **args)

        return Response(cached("history", key, TTL["history"], build))


class ProtocolsView(ReadView):
    @extend_schema(parameters=[q.ProtocolsQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = q.validated(q.ProtocolsQuery, request)
        args = {"limit": params["limit"], "chain": params.get("chain"), "category": params.get("category")}
        return Response(
            cached("defi", ("protocols", *args.values()), TTL["defi"], lambda: selectors_defi.protocols(**args))
        )


class ProtocolTVLView(ReadView):
    @extend_schema(
        parameters=[q.DaysQuery, OpenApiParameter("slug", str, OpenApiParameter.PATH, pattern=q.SLUG.pattern)],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, slug: str):
        params = q.validated(q.DaysQuery, request)
        if not q.SLUG.fullmatch(slug):  # also keeps NUL and other bytes PostgreSQL refuses out of queries
            raise InvalidParameter("slug", "Not a protocol slug.")
        key = ("tvl", slug, params["days"])

        def build() -> dict:
            on_demand.fill_protocol_tvl(slug=slug, days=params["days"])
            return selectors_defi.protocol_tvl(slug=slug, days=params["days"])

        return Response(cached("defi", key, TTL["defi"], build))


class ChainsView(ReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(cached("defi", ("chains",), TTL["defi"], selectors_defi.chains))

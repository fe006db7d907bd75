"""/api/v3/: CoinGecko's most used endpoints, paths, parameters and field names, from storage.

Errors leave in CoinGecko's shapes, not the project envelope, because the clients this
surface exists for parse those: ``{"error": "..."}`` with the status (422 for a missing
parameter, 404 "coin not found"), and 429 as ``{"status": {"error_code", "error_message"}}``.
"""

from datetime import UTC, datetime, timedelta

from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import APIView

from cryptodt.api.errors import ApiError, NoDataAvailable, NotFoundError
from cryptodt.api.reads import TTL, answer
from cryptodt.api.renderers import ExactJSONRenderer
from cryptodt.data_cache import cached
from markets.api.coingecko import catalog, category_reads, coin_detail, directories, exchanges, ohlc, overview
from markets.api.coingecko import selectors as gecko
from markets.api.coingecko import serializers as q
from markets.services import on_demand

_MISSING = ("required", "blank")  # CoinGecko treats ``ids=`` like no ids at all


def coingecko_error(exc: Exception, status: int, envelope: dict) -> dict:
    if status == 429:
        return {"status": {"error_code": 429, "error_message": envelope["error"]["message"]}}
    if isinstance(exc, drf.ValidationError) and isinstance(exc.detail, dict) and exc.detail:
        field, errors = next(iter(exc.detail.items()))
        error = errors[0] if isinstance(errors, list) and errors else errors
        if getattr(error, "code", None) == "invalid_choice":
            return {"error": f"invalid {field}"}
        return {"error": f"invalid {field}: {error}"}
    return {"error": envelope["error"]["message"]}


# The answers CoinGecko gives as JSON arrays, so clients (and schemathesis) see them as such.
_ARRAY_OF_OBJECTS = {200: build_array_type(build_basic_type(OpenApiTypes.OBJECT))}
_ARRAY_OF_STRINGS = {200: build_array_type(build_basic_type(OpenApiTypes.STR))}
_ARRAY_OF_NUMBER_ROWS = {200: build_array_type(build_array_type(build_basic_type(OpenApiTypes.NUMBER)))}


class CoinGeckoView(APIView):
    renderer_classes = [ExactJSONRenderer]

    def handle_exception(self, exc):
        if isinstance(exc, drf.ValidationError) and isinstance(exc.detail, dict):
            missing = [f for f, errors in exc.detail.items() if any(getattr(e, "code", "") in _MISSING for e in errors)]
            if missing:
                exc = ApiError(f"Missing parameter {missing[0]}", code="missing_parameter", status=422)
        response = super().handle_exception(exc)
        if isinstance(response.data, dict) and isinstance(response.data.get("error"), dict):
            response.data = coingecko_error(exc, response.status_code, response.data)
        return response

    @staticmethod
    def check_coin_id(coin_id: str) -> None:
        # Also keeps NUL and other bytes PostgreSQL refuses out of queries.
        if not q.COIN_ID.fullmatch(coin_id):
            raise NotFoundError("coin not found")


class PingView(CoinGeckoView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response({"gecko_says": "(V3) To the Moon!"})


class SimplePriceView(CoinGeckoView):
    @extend_schema(parameters=[q.SimplePriceQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        # Rendered per exact request like the /api/ reads, so cryptodt.fastpath can serve repeats.
        return answer(request, kind="prices", query=q.SimplePriceQuery, build=lambda: self.simple_price(request))

    @staticmethod
    def simple_price(request) -> dict:
        params = q.validated(q.SimplePriceQuery, request)
        flags = {k: v for k, v in params.items() if k.startswith("include_")}
        args = {"ids": params.get("ids"), "symbols": params.get("symbols"), "vs_currencies": params["vs_currencies"]}
        args.update(flags)
        key = ("cg-simple", *(tuple(v) if isinstance(v, list) else v for v in args.values()))

        def build() -> dict:
            # Untracked coins get one batched fetch (usd; other currencies convert from it).
            coins = gecko.asked_coins(ids=args["ids"], symbols=args["symbols"])
            on_demand.fill_quotes(coins=coins, vs="usd")
            return gecko.simple_price(**args, coins=coins)

        return cached("prices", key, TTL["prices"], build)


class TokenPriceView(CoinGeckoView):
    @extend_schema(parameters=[q.TokenPriceQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, platform_id: str):
        if not q.COIN_ID.fullmatch(platform_id):
            raise NotFoundError("asset platform not found")
        params = q.validated(q.TokenPriceQuery, request)
        flags = {k: v for k, v in params.items() if k.startswith("include_")}
        args = {"platform": platform_id, "addresses": params["contract_addresses"]}
        args["vs_currencies"] = params["vs_currencies"]
        key = ("cg-token", *(tuple(v) if isinstance(v, list) else v for v in args.values()), *flags.values())

        def build() -> dict:
            found = catalog.coins_by_contract(platform=platform_id, addresses=args["addresses"])
            on_demand.fill_quotes(coins=list(dict.fromkeys(found.values())), vs="usd")
            return catalog.token_price(**args, **flags, coins=found)

        return Response(cached("prices", key, TTL["prices"], build))


class AssetPlatformsView(CoinGeckoView):
    @extend_schema(parameters=[q.AssetPlatformsQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        q.validated(q.AssetPlatformsQuery, request)
        key = ("cg-platforms",)
        return Response(
            cached("market", key, TTL["market"], lambda: _stored(directories.asset_platforms(), "asset platforms"))
        )


class GlobalDefiView(CoinGeckoView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        key = ("cg-defi",)
        return Response(
            cached("market", key, TTL["market"], lambda: _stored(directories.global_defi(), "DeFi figures"))
        )


class CoinsListView(CoinGeckoView):
    @extend_schema(parameters=[q.CoinsListQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        include_platform = q.validated(q.CoinsListQuery, request)["include_platform"]
        key = ("cg-list", include_platform)
        return Response(
            cached("market", key, TTL["market"], lambda: gecko.coins_list(include_platform=include_platform))
        )


class CoinsMarketsView(CoinGeckoView):
    @extend_schema(parameters=[q.MarketsQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        params = q.validated(q.MarketsQuery, request)
        args = {
            "vs": params["vs_currency"],
            "ids": params.get("ids"),
            "order": params["order"],
            "per_page": params["per_page"],
            "page": params["page"],
            "sparkline": params["sparkline"],
            "price_change_percentage": params.get("price_change_percentage", []),
        }
        category = params.get("category")
        key = ("cg-markets", category, *(tuple(v) if isinstance(v, list) else v for v in args.values()))

        def build() -> list:
            if category:  # the members are fetched with their market rows, not price by price
                on_demand.fill_category(category_id=category)
                return gecko.coins_markets(
                    **{**args, "ids": category_reads.member_ids(category_id=category, ids=args["ids"])}
                )
            if args["ids"]:  # asked by id: untracked ones get one batched fetch
                on_demand.fill_quotes(coins=gecko.coins_by_id(ids=args["ids"]), vs="usd")
            return gecko.coins_markets(**args)

        return Response(cached("market", key, TTL["market"], build))


class TrendingView(CoinGeckoView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        def build() -> dict:
            # A listed coin without any usd price (an untracked one, in the older shape) is
            # fetched once, so its entry has the numbers CoinGecko's schema requires.
            entries = overview.newest_entries()
            on_demand.fill_quotes(coins=overview.coins_without_price(entries), vs="usd")
            return overview.trending(entries)

        payload = cached("trending", ("cg-trending",), TTL["trending"], build)
        if not payload["coins"]:
            raise NoDataAvailable("no trending list has been collected yet")
        return Response(payload)


class GlobalView(CoinGeckoView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        def build() -> dict:
            payload = overview.global_stats()
            if payload is None:
                raise NoDataAvailable("no global market data has been collected yet")
            return payload

        return Response(cached("market", ("cg-global",), TTL["market"], build))


def _days_cost(request) -> int:
    """As /api/prices/history: a month is one unit, each started 90 days beyond it one more."""
    text = str(request.query_params.get("days", "1")).strip().lower()
    days = 365 if text == "max" else int(text) if text.isdigit() and len(text) <= 5 else 1
    days = max(1, min(days, 365))
    return 1 if days <= 30 else 2 + (days - 31) // 90


class MarketChartView(CoinGeckoView):
    def rate_cost(self, request) -> int:
        return _days_cost(request)

    @extend_schema(parameters=[q.MarketChartQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        params = q.validated(q.MarketChartQuery, request)
        args = {
            "coin_id": coin_id,
            "vs": params["vs_currency"],
            "days": params["days"],
            "interval": params.get("interval"),
        }
        key = ("cg-chart", *args.values())

        def build() -> dict:
            on_demand.fill_history(coin=gecko.coin(coin_id=args["coin_id"]), days=args["days"], vs=args["vs"])
            return gecko.market_chart(**args)

        return Response(cached("history", key, TTL["history"], build))


class OHLCView(CoinGeckoView):
    def rate_cost(self, request) -> int:
        return _days_cost(request)

    @extend_schema(parameters=[q.OHLCQuery], responses=_ARRAY_OF_NUMBER_ROWS)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        days = q.validated(q.OHLCQuery, request)["days"]
        key = ("cg-ohlc", coin_id, days)

        def build() -> list:
            start = datetime.now(UTC) - timedelta(days=days)
            interval, _ = ohlc.ohlc_interval(days=days)
            on_demand.fill_candles(coin=gecko.coin(coin_id=coin_id), interval=interval, start=start, end=None)
            return ohlc.ohlc(coin_id=coin_id, days=days)

        return Response(cached("ohlcv", key, TTL["ohlcv"], build))


class SearchView(CoinGeckoView):
    @extend_schema(parameters=[q.SearchQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        text = q.validated(q.SearchQuery, request)["query"]
        key = ("cg-search", text.lower())
        return Response(cached("market", key, TTL["market"], lambda: self.search(text)))

    @staticmethod
    def search(text: str) -> dict:
        return {
            **catalog.search(query=text),
            "exchanges": exchanges.search(query=text),
            "categories": category_reads.search_categories(query=text),
        }


class SupportedCurrenciesView(CoinGeckoView):
    @extend_schema(responses=_ARRAY_OF_STRINGS)
    def get(self, request):
        return Response(cached("prices", ("cg-vs",), TTL["prices"], catalog.supported_vs_currencies))


class HistoryView(CoinGeckoView):
    @extend_schema(parameters=[q.HistoryQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        text = q.validated(q.HistoryQuery, request)["date"]
        day = catalog.parse_day(text)
        if day is None:
            raise ApiError("invalid date, use dd-mm-yyyy", code="invalid_parameter", status=400)
        key = ("cg-history", coin_id, day.isoformat())
        return Response(cached("history", key, TTL["history"], lambda: catalog.history(coin_id=coin_id, day=day)))


class MarketChartRangeView(CoinGeckoView):
    def rate_cost(self, request) -> int:
        params = request.query_params
        try:
            days = (int(params.get("to", 0)) - int(params.get("from", 0))) // 86400 + 1
        except ValueError:
            days = 1
        return 1 if days <= 30 else 2 + (min(days, 365) - 31) // 90

    @extend_schema(parameters=[q.RangeQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        params = q.validated(q.RangeQuery, request)
        start = datetime.fromtimestamp(params["from"], tz=UTC)
        end = datetime.fromtimestamp(params["to"], tz=UTC)
        args = {"coin_id": coin_id, "vs": params["vs_currency"], "start": start, "end": end}
        key = ("cg-range", coin_id, args["vs"], params["from"], params["to"])
        return Response(cached("history", key, TTL["history"], lambda: catalog.chart_range(**args)))


class CoinView(CoinGeckoView):
    @extend_schema(parameters=[q.CoinQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, coin_id: str):
        self.check_coin_id(coin_id)
        params = q.validated(q.CoinQuery, request)
        # The provider calls happen here, before the read, never inside it: the description
        # (also of a coin the registry does not know yet), and a price of an untracked coin.
        on_demand.fill_profile(coin_id=coin_id)
        found = gecko.coin(coin_id=coin_id)
        market_data = params["market_data"]
        if market_data:
            on_demand.fill_quotes(coins=[found], vs="usd")

        def build() -> dict:
            body = coin_detail.coin_detail(coin_id=coin_id, market_data=market_data)
            if body is None:
                raise NoDataAvailable("this coin's description has not been fetched yet; try again shortly")
            return body

        return Response(cached("market", ("cg-coin", coin_id, market_data), TTL["market"], build))


class ExchangeRatesView(CoinGeckoView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        def build() -> dict:
            payload = catalog.exchange_rates()
            if payload is None:
                raise NoDataAvailable("no exchange rates have been collected yet")
            return payload

        return Response(cached("prices", ("cg-rates",), TTL["prices"], build))


def _stored(payload, what: str):
    if payload is None:
        raise NoDataAvailable(f"no {what} have been collected yet")
    return payload


class CategoriesListView(CoinGeckoView):
    @extend_schema(responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        key = ("cg-categories-list",)
        return Response(
            cached("market", key, TTL["market"], lambda: _stored(directories.categories_list(), "categories"))
        )


class CategoriesView(CoinGeckoView):
    @extend_schema(parameters=[q.CategoriesQuery], responses=_ARRAY_OF_OBJECTS)
    def get(self, request):
        order = q.validated(q.CategoriesQuery, request)["order"]
        key = ("cg-categories", order)
        return Response(
            cached("market", key, TTL["market"], lambda: _stored(directories.categories(order=order), "categories"))
        )


class UnknownPathView(CoinGeckoView):
    """Any other path under /api/v3/ is a CoinGecko-shaped 404, not the project's envelope."""

    @extend_schema(exclude=True)
    def get(self, request, path: str):
        raise NotFoundError("not found")

from django.urls import re_path

from markets.api.coingecko import exchange_views, views

_ID = r"(?P<coin_id>[^/]+)"


def route(pattern: str, view, name: str):
    """CoinGecko's path, with or without a trailing slash (some clients add one)."""
    return re_path(rf"^{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    route("ping", views.PingView, "cg-ping"),
    route("simple/price", views.SimplePriceView, "cg-simple-price"),
    route("simple/supported_vs_currencies", views.SupportedCurrenciesView, "cg-supported-vs"),
    route("simple/token_price/(?P<platform_id>[^/]+)", views.TokenPriceView, "cg-token-price"),
    route("asset_platforms", views.AssetPlatformsView, "cg-asset-platforms"),
    route("search", views.SearchView, "cg-search"),
    route("coins/list", views.CoinsListView, "cg-coins-list"),
    route("coins/markets", views.CoinsMarketsView, "cg-coins-markets"),
    route("coins/categories/list", views.CategoriesListView, "cg-categories-list"),
    route("coins/categories", views.CategoriesView, "cg-categories"),
    route(f"coins/{_ID}/market_chart/range", views.MarketChartRangeView, "cg-market-chart-range"),
    route(f"coins/{_ID}/market_chart", views.MarketChartView, "cg-market-chart"),
    route(f"coins/{_ID}/ohlc", views.OHLCView, "cg-ohlc"),
    route(f"coins/{_ID}/tickers", exchange_views.TickersView, "cg-tickers"),
    route(f"coins/{_ID}/history", views.HistoryView, "cg-history"),
    route(f"coins/{_ID}", views.CoinView, "cg-coin"),
    route("search/trending", views.TrendingView, "cg-trending"),
    route("global/decentralized_finance_defi", views.GlobalDefiView, "cg-global-defi"),
    route("global", views.GlobalView, "cg-global"),
    route("exchanges/list", exchange_views.ExchangesListView, "cg-exchanges-list"),
    route("exchanges", exchange_views.ExchangesView, "cg-exchanges"),
    route("exchange_rates", views.ExchangeRatesView, "cg-exchange-rates"),
    re_path(r"^(?P<path>.*)$", views.UnknownPathView.as_view(), name="cg-unknown"),
]

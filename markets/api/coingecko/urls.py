from django.urls import path

from markets.api.coingecko import views

urlpatterns = [
    path("ping", views.PingView.as_view(), name="cg-ping"),
    path("simple/price", views.SimplePriceView.as_view(), name="cg-simple-price"),
    path("coins/list", views.CoinsListView.as_view(), name="cg-coins-list"),
    path("coins/markets", views.CoinsMarketsView.as_view(), name="cg-coins-markets"),
    path("coins/<str:coin_id>/market_chart", views.MarketChartView.as_view(), name="cg-market-chart"),
    path("coins/<str:coin_id>/ohlc", views.OHLCView.as_view(), name="cg-ohlc"),
    path("search/trending", views.TrendingView.as_view(), name="cg-trending"),
    path("global", views.GlobalView.as_view(), name="cg-global"),
    path("<path:path>", views.UnknownPathView.as_view(), name="cg-unknown"),
]

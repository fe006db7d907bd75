from django.urls import include, path

from markets.api import views
from markets.api.providers import ProvidersView

urlpatterns = [
    path("providers", ProvidersView.as_view(), name="providers"),
    path("prices", views.PricesView.as_view(), name="prices"),
    path("prices/history", views.PriceHistoryView.as_view(), name="prices-history"),
    path("market", views.MarketView.as_view(), name="market"),
    path("trending", views.TrendingView.as_view(), name="trending"),
    path("ohlcv", views.OHLCVView.as_view(), name="ohlcv"),
    path("defi/protocols", views.ProtocolsView.as_view(), name="defi-protocols"),
    path("defi/protocols/<str:slug>/tvl", views.ProtocolTVLView.as_view(), name="defi-protocol-tvl"),
    path("v3/", include("markets.api.coingecko.urls")),
    path("defi/chains", views.ChainsView.as_view(), name="defi-chains"),
]

from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.OverviewView.as_view(), name="dashboard"),
    path("coins/<str:symbol>", views.CoinView.as_view(), name="dashboard-coin"),
]

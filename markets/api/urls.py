from django.urls import path

from markets.api.providers import ProvidersView

urlpatterns = [
    path("providers", ProvidersView.as_view(), name="providers"),
]

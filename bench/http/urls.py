from django.urls import path

from bench.http.views import CachedPricesView
from cryptodt.urls import handler400, handler403, handler404, handler500
from cryptodt.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/cached", CachedPricesView.as_view(), name="bench-cached"), *product_urlpatterns]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]

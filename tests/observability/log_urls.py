import logging

from django.http import HttpResponse
from django.urls import include, path

logger = logging.getLogger("tests.observability.view")


def logging_view(request):
    logger.warning("looked up %s", "bitcoin", extra={"coin": "bitcoin"})
    return HttpResponse("ok")


urlpatterns = [path("logs-something", logging_view), path("", include("cryptodt.urls"))]

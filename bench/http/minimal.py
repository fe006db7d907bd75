"""The references of issue 13's table, each returning the same bytes as cryptodt's answer
(BENCH_BODY_FILE, written by run.py --table from cryptodt's own response):

- ``bare``: a bare ASGI app (no framework at all);
- ``django_wsgi``: a minimal Django project, one view, no middleware, answering from the
  LocMem cache and counting the request there (one ``incr``), as a rate limit would.
"""

import os

BODY = open(os.environ["BENCH_BODY_FILE"], "rb").read() if os.environ.get("BENCH_BODY_FILE") else b"{}"
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def bare(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


import django  # noqa: E402
from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-only",  # noqa: S106  (nothing is signed)
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
    )
    django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import re_path  # noqa: E402


def cached_view(request):
    if not cache.add("count", 1):
        cache.incr("count")
    body = cache.get("answer")
    if body is None:
        body = BODY
        cache.set("answer", body)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [re_path(r"", cached_view)]
django_wsgi = get_wsgi_application()

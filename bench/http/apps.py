"""Alternative ASGI applications that the benchmark compares with cryptodt.asgi."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.http.settings")

import django  # noqa: E402

django.setup()  # streaming.routing imports models

from a2wsgi import WSGIMiddleware  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from cryptodt.wsgi_bridge import lifespan  # noqa: E402
from streaming.routing import websocket_urlpatterns  # noqa: E402

WEB_THREADS = int(os.environ.get("WEB_THREADS", "8"))

django_asgi = ProtocolTypeRouter(
    {"http": get_asgi_application(), "websocket": URLRouter(websocket_urlpatterns), "lifespan": lifespan}
)
a2wsgi = ProtocolTypeRouter(
    {
        "http": WSGIMiddleware(get_wsgi_application(), workers=WEB_THREADS),
        "websocket": URLRouter(websocket_urlpatterns),
        "lifespan": lifespan,
    }
)


def _without_fastpath():
    """cryptodt.asgi as it was before cryptodt.fastpath: every request through the bridge."""
    from django.conf import settings

    from cryptodt.wsgi_bridge import WSGIBridge

    bridge = WSGIBridge(
        get_wsgi_application(), threads=settings.WEB_THREADS, max_body_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )
    return ProtocolTypeRouter({"http": bridge, "websocket": URLRouter(websocket_urlpatterns), "lifespan": lifespan})


no_fastpath = _without_fastpath()

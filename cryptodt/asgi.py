"""ASGI entry point, the one address for everything: HTTP goes to Django's WSGI handler
through a thin thread-pool bridge (repeated cached reads are answered in front of it by
cryptodt.fastpath), WebSockets (/ws/prices) to Channels.

Django's own ASGI handler works too but measured 3–4x slower for cached reads; the
numbers and the choice are in BENCHMARKS.md and README.md ("Serving architecture").
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cryptodt.settings")
django_wsgi_app = get_wsgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up)
from django.conf import settings  # noqa: E402

from accounts import audit  # noqa: E402
from cryptodt.fastpath import FastPath  # noqa: E402
from cryptodt.wsgi_bridge import WSGIBridge, lifespan  # noqa: E402
from streaming.routing import websocket_urlpatterns  # noqa: E402

bridge = WSGIBridge(django_wsgi_app, threads=settings.WEB_THREADS, max_body_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
fast_path = FastPath(bridge)


def on_startup() -> None:
    # The server's start (not this module's import, which tests make too): the audit log
    # is written by a thread of its own, never by a request (accounts/audit.py), and the
    # process is made ready to serve before it is offered a request.
    audit.start_writer()
    bridge.warm()


async def startup(scope, receive, send) -> None:
    await lifespan(scope, receive, send, on_startup=on_startup)


application = ProtocolTypeRouter(
    {
        "http": fast_path,
        "websocket": URLRouter(websocket_urlpatterns),
        "lifespan": startup,
    }
)

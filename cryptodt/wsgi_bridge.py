"""Serve Django's WSGI handler from an ASGI server, with one thread hop per request.

Why: WebSockets need ASGI (Channels) and the container exposes one port, but Django's
own ASGI handler runs every sync view through ``sync_to_async`` and measured 3–4x
slower than WSGI on cached reads (BENCHMARKS.md, "platform"). a2wsgi is general but
hops between threads for every message it sends. This bridge reads the (small, capped)
request body on the event loop, runs the whole WSGI call in a thread pool, and sends the
collected response: one hop in, one back.

The trade-off: responses are buffered, not streamed. cryptodt's HTTP API returns
bounded JSON and a few static files; live data goes over the WebSocket.
"""

import asyncio
import io
import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

logger = logging.getLogger(__name__)

_TOO_LARGE = b'{"error": {"code": "request_too_large", "message": "The request body is too large.", "details": {}}}'
_CRASHED = b'{"error": {"code": "internal_error", "message": "The server hit an unexpected error.", "details": {}}}'


class ClientDisconnected(Exception):
    pass


def build_environ(scope: dict, body: bytes) -> dict:
    """The PEP 3333 environ for an ASGI HTTP scope."""
    script_name = scope.get("root_path", "")
    path = scope["path"]
    if script_name and path.startswith(script_name):
        path = path[len(script_name) :]
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name.encode().decode("latin1"),
        "PATH_INFO": path.encode().decode("latin1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_NAME": str(server_name),
        "SERVER_PORT": str(server_port or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            name = f"HTTP_{name}"
        value = raw_value.decode("latin1")
        environ[name] = f"{environ[name]},{value}" if name in environ else value
    return environ


def _run_wsgi(app, environ: dict) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Runs in a pool thread: call the app and collect status, headers and body."""
    started: dict = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None):
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started["status"] = int(status.split(" ", 1)[0])
        started["headers"] = [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]
        return chunks.append

    iterable = app(environ, start_response)
    try:
        for chunk in iterable:
            if chunk:
                chunks.append(chunk)
    finally:
        # Django's close() fires request_finished, which returns this thread's database
        # connection to its CONN_MAX_AGE policy, so it must run in the same thread. It runs
        # before the response is sent: nothing slow may hang on request_finished (the audit
        # log has its own writer thread for that reason, accounts/audit.py).
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return started["status"], started["headers"], b"".join(chunks)


class WSGIBridge:
    def __init__(self, app, *, threads: int, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.threads = threads
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")

    def warm(self) -> None:
        """Make the process ready to serve before the first request: the URLconf and every
        view it imports, and one database connection in each request thread (each keeps
        its own, CONN_MAX_AGE). Otherwise the first requests pay for it and memory "at
        start" is a process that has not yet served (BENCHMARKS.md, "reliability")."""
        from django.db import connection
        from django.urls import get_resolver

        get_resolver().check()  # imports the URLconf and builds the resolver's tables
        gate = threading.Barrier(self.threads)

        def open_connection() -> None:
            gate.wait(timeout=10)  # one task per thread: each waits until all have one
            connection.ensure_connection()

        for future in [self.executor.submit(open_connection) for _ in range(self.threads)]:
            try:
                future.result(timeout=15)
            except Exception:  # a database down at start is readiness' business, not the start's
                logger.warning("warm-up: a request thread could not open its database connection")

    async def __call__(self, scope: dict, receive, send) -> None:
        try:
            body = await self.read_body(receive)
        except ClientDisconnected:
            return
        if body is None:
            await _send_json(send, 413, _TOO_LARGE)
            return
        status, headers, content = await self.respond(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content if scope["method"] != "HEAD" else b""})

    async def respond(self, scope: dict, body: bytes, extra_environ: dict | None = None) -> tuple:
        """Django's (status, headers, body) for one request; ``extra_environ`` carries what
        cryptodt.fastpath already decided (keys with a dot, which no header can produce)."""
        environ = build_environ(scope, body)
        if extra_environ:
            environ.update(extra_environ)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, _run_wsgi, self.app, environ)
        except Exception:
            # Django turns view errors into 500 responses itself; this is the last net
            # for failures outside its handler (middleware import errors and the like).
            logger.exception("WSGI application failed outside Django's error handling")
            return (
                500,
                [(b"content-type", b"application/json"), (b"content-length", str(len(_CRASHED)).encode())],
                _CRASHED,
            )

    async def read_body(self, receive) -> bytes | None:
        """The whole request body, or None once it passes the cap (the rest is not read)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)


async def _send_json(send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def lifespan(scope: dict, receive, send, *, on_startup=None) -> None:
    """The ASGI lifespan protocol; ``on_startup()`` runs once the server starts."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if on_startup is not None:
                on_startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return

"""The ASGI→WSGI bridge that carries every HTTP request (cryptodt/wsgi_bridge.py)."""

import asyncio
import json

import pytest
from django.core.wsgi import get_wsgi_application

from cryptodt.wsgi_bridge import WSGIBridge, lifespan


def call(app, scope: dict, body_parts: list[bytes]) -> list[dict]:
    incoming = [
        {"type": "http.request", "body": part, "more_body": i < len(body_parts) - 1}
        for i, part in enumerate(body_parts)
    ]
    sent: list[dict] = []

    async def receive():
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(method: str, path: str, query: bytes = b"", headers: list | None = None) -> dict:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1"), *(headers or [])],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
        "http_version": "1.1",
        "scheme": "http",
        "root_path": "",
    }


def echo_environ(environ, start_response):
    body = environ["wsgi.input"].read()
    keys = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "HTTP_X_TRACE", "REMOTE_ADDR")
    payload = {key: environ.get(key) for key in keys} | {"body": body.decode()}
    start_response("201 Created", [("Content-Type", "application/json"), ("X-Thing", "a")])
    return [json.dumps(payload).encode()]


def test_it_passes_method_path_query_headers_and_body_to_the_wsgi_app():
    bridge = WSGIBridge(echo_environ, threads=2, max_body_bytes=1024)
    scope = http_scope("POST", "/api/x", b"a=1&b=2", [(b"content-type", b"text/plain"), (b"x-trace", b"t1")])
    start, body = call(bridge, scope, [b"hello ", b"world"])
    assert start["status"] == 201
    assert (b"x-thing", b"a") in start["headers"]
    assert json.loads(body["body"]) == {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/x",
        "QUERY_STRING": "a=1&b=2",
        "CONTENT_TYPE": "text/plain",
        "HTTP_X_TRACE": "t1",
        "REMOTE_ADDR": "127.0.0.1",
        "body": "hello world",
    }


def test_it_rejects_an_oversized_body_with_the_json_envelope():
    bridge = WSGIBridge(echo_environ, threads=1, max_body_bytes=10)
    start, body = call(bridge, http_scope("POST", "/api/x"), [b"x" * 8, b"y" * 8])
    assert start["status"] == 413
    assert json.loads(body["body"])["error"]["code"] == "request_too_large"


def test_it_sends_nothing_when_the_client_goes_away_before_the_body_arrives():
    bridge = WSGIBridge(echo_environ, threads=1, max_body_bytes=10)
    assert call(bridge, http_scope("POST", "/api/x"), []) == []


def test_it_answers_500_envelope_when_the_app_fails_outside_django():
    def broken(environ, start_response):
        raise RuntimeError("boom")

    start, body = call(WSGIBridge(broken, threads=1, max_body_bytes=10), http_scope("GET", "/api/x"), [b""])
    assert start["status"] == 500
    assert json.loads(body["body"])["error"]["code"] == "internal_error"


@pytest.mark.django_db(transaction=True)
def test_it_serves_django_and_strips_the_body_of_head_requests():
    bridge = WSGIBridge(get_wsgi_application(), threads=2, max_body_bytes=1024)
    start, body = call(bridge, http_scope("GET", "/api/health"), [b""])
    assert start["status"] == 200
    assert json.loads(body["body"])["status"] == "ok"
    start, body = call(bridge, http_scope("HEAD", "/api/health"), [b""])
    assert start["status"] == 200
    assert body["body"] == b""


def test_it_completes_the_lifespan_protocol():
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict] = []

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(lifespan({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]

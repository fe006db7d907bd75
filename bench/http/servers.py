"""The server set-ups bench/http/run.py compares: how each is started, and the rows of
issue 13's table (``run.py --table``). Commands only; starting, loading and measuring
them is run.py's."""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _serve_module():
    spec = importlib.util.spec_from_file_location("cryptodt_serve", ROOT / "bin" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def granian(target: str, *, interface: str = "asgi", workers: int = 1, extra: tuple = ()) -> callable:
    def command(port: int, env: dict) -> list[str]:
        return [
            PYTHON,
            "-m",
            "granian",
            "--interface",
            interface,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--workers-kill-timeout",
            "5",
            *extra,
            target,
        ]

    return command


def uvicorn(target: str, *, workers: int = 1) -> callable:
    def command(port: int, env: dict) -> list[str]:
        return [
            PYTHON,
            "-m",
            "uvicorn",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ]

    return command


def serve_py(workers: int, *, extra: tuple = ()) -> callable:
    """Exactly the web command that bin/serve.py runs (``extra``: granian options to try,
    put before the application)."""

    def command(port: int, env: dict) -> list[str]:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env, WEB_WORKERS=str(workers))
        try:
            web = _serve_module().web_command("127.0.0.1", str(port))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return [*web[:-1], *extra, web[-1]]

    return command


def cryptodt_uvicorn(workers: int) -> callable:
    """cryptodt.asgi under uvicorn (httptools, uvloop), in the environment bin/serve.py
    gives its web processes, without access lines (bench/http/quiet_asgi.py)."""
    base = uvicorn("bench.http.quiet_asgi:application", workers=workers)

    def command(port: int, env: dict) -> list[str]:
        env.update(WEB_WORKERS=str(workers), MALLOC_ARENA_MAX=env.get("MALLOC_ARENA_MAX", "2"))
        return base(port, env)

    return command


# name -> (command, profile); "redis" rows run only with --redis-url.
CANDIDATES = {
    "serve.py: granian asgi + bridge, 2 workers (embedded default)": (serve_py(2), "embedded"),
    "serve.py: granian asgi + bridge, 1 worker, embedded": (serve_py(1), "embedded"),
    "serve.py: granian asgi + bridge, 1 worker, Redis": (serve_py(1), "redis"),
    "serve.py: granian asgi + bridge, 2 workers, Redis (scale-out default)": (serve_py(2), "redis"),
    "uvicorn + bridge, 1 worker": (uvicorn("cryptodt.asgi:application"), "embedded"),
    "granian asgi + a2wsgi, 1 worker": (granian("bench.http.apps:a2wsgi"), "embedded"),
    "granian asgi + Django ASGI handler, 1 worker": (granian("bench.http.apps:django_asgi"), "embedded"),
    "uvicorn + Django ASGI handler, 2 workers": (uvicorn("bench.http.apps:django_asgi", workers=2), "embedded"),
    "granian wsgi, 1 worker (no WebSockets; reference)": (
        granian("cryptodt.wsgi:application", interface="wsgi", extra=("--blocking-threads", "8")),
        "embedded",
    ),
    "granian wsgi, 2 workers (no WebSockets; reference)": (
        granian("cryptodt.wsgi:application", interface="wsgi", workers=2, extra=("--blocking-threads", "8")),
        "embedded",
    ),
}

# Issue 13's table: the references, then cryptodt, all against the same answer bytes.
TABLE_URLS = {
    "prices": "/api/prices?symbols=BTC,ETH,C2",
    "simple": "/api/v3/simple/price?ids=coin-0000,coin-0001,coin-0002&vs_currencies=usd",
    "market": "/api/market?limit=3",
}
# The rows every table run has, whatever --only selects: the ratios are taken against them.
REFERENCES = (
    "bare ASGI app, same bytes (uvicorn, 2 workers)",
    "minimal Django app, one cached view, granian WSGI, 2 workers",
)
# Other servers (and granian options) for cryptodt's own application, same read.
SERVER_CANDIDATES = {
    "uvicorn (httptools, uvloop)": cryptodt_uvicorn(2),
    "granian --runtime-mode st": serve_py(2, extra=("--runtime-mode", "st")),
    "granian --http 1": serve_py(2, extra=("--http", "1")),
    "granian --backpressure 64": serve_py(2, extra=("--backpressure", "64")),
}


def table_rows(*, pro_key: str, pro_jwt: str, redis_url: str) -> list[tuple]:
    """(name, command, url, request headers, Redis URL) for each row of the table."""
    prices = TABLE_URLS["prices"]
    rows = [
        (REFERENCES[0], uvicorn("bench.http.minimal:bare", workers=2), prices, [], ""),
        (REFERENCES[1], granian("bench.http.minimal:django_wsgi", interface="wsgi", workers=2), prices, [], ""),
        ("minimal Django app, 1 worker", granian("bench.http.minimal:django_wsgi", interface="wsgi"), prices, [], ""),
        (
            "cryptodt without the fast path (bridge only), embedded, anonymous, prices",
            granian("bench.http.apps:no_fastpath", extra=("--loop", "uvloop", "--no-access-log")),
            prices,
            [],
            "",
        ),
    ]
    for label, url in TABLE_URLS.items():
        rows.append((f"cryptodt serve.py, embedded, 2 web processes, anonymous, {label}", serve_py(2), url, [], ""))
    key = [f"X-API-Key: {pro_key}"]
    rows.append(("cryptodt serve.py, embedded, 2 web processes, pro API key, prices", serve_py(2), prices, key, ""))
    jwt = [f"Authorization: Bearer {pro_jwt}"]
    rows.append(("cryptodt serve.py, embedded, 2 web processes, pro JWT, prices", serve_py(2), prices, jwt, ""))
    rows.append(("cryptodt serve.py, embedded, 1 web process, anonymous, prices", serve_py(1), prices, [], ""))
    for label, command in SERVER_CANDIDATES.items():
        rows.append((f"cryptodt under {label}, embedded, 2 workers, anonymous, prices", command, prices, [], ""))
    if redis_url:
        rows.append(("cryptodt serve.py, Redis, 2 workers, anonymous, prices", serve_py(2), prices, [], redis_url))
        rows.append(("cryptodt serve.py, Redis, 2 workers, pro API key, prices", serve_py(2), prices, key, redis_url))
        rows.append(("cryptodt serve.py, Redis, 2 workers, pro JWT, prices", serve_py(2), prices, jwt, redis_url))
    return rows

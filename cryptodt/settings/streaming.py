"""Serving: web processes and their threads, WebSocket connections and the live price feed
(docs/streaming.md)."""

from cryptodt.env import envfloat, envint

# Threads per web process that run Django's (sync) request handling; see cryptodt/asgi.py.
# Per web process. Two processes of 4 are the 8 threads one process had for 2 cores (the
# work is CPU under the GIL: 2, 4 and 8 threads served alike, BENCHMARKS.md "platform");
# each thread keeps a database connection with its own caches and a malloc arena.
WEB_THREADS = envint("WEB_THREADS", 4, minimum=1)
# How many web processes serve this installation (bin/serve.py sets it for its children):
# without Redis each holds its share of WS_MAX_CONNECTIONS (streaming.capacity).
WEB_WORKERS = envint("WEB_WORKERS", 1, minimum=1)

WS_HEARTBEAT_S = envint("WS_HEARTBEAT_S", 20, minimum=1)
WS_MAX_CONNECTIONS = envint("WS_MAX_CONNECTIONS", 1000, minimum=1)
# Embedded profile only (no REDIS_URL): how often the web process looks for prices the
# collector process stored, to push them to its WebSocket clients (docs/streaming.md).
WS_RELAY_INTERVAL_S = envfloat("WS_RELAY_INTERVAL_S", 1.0, minimum=0.1)
# stream_prices stores (and so broadcasts) at most one exchange tick per coin this often.
STREAM_STORE_INTERVAL_S = envfloat("STREAM_STORE_INTERVAL_S", 5.0, minimum=0.0)

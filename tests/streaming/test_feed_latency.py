"""A price stored by another process reaches 50 subscribed sockets of a real server
quickly — in the embedded profile because the storer wakes the server's relay
(streaming.wake), not because the relay polls: the server polls only every 30 s here.

Two servers: one uvicorn process, and bin/serve.py as `make run` starts it (granian with two
web processes and the task cluster; the kernel spreads the 50 sockets over both processes,
so every socket getting every price means each process got each price).

The bound is generous so it cannot flake on a loaded machine; the 200 ms goal at 1,000
clients is a benchmark (bench/streaming/feed_latency.py, BENCHMARKS.md).
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import websockets

from markets.services import ingest
from providers.records import MarketRow, Quote
from tests.accounts.test_limit_across_processes import ROOT, _free_port, _test_database_url, _wait_until_up
from tests.platform.processes import OFFLINE_PROVIDERS, descendants, is_alive

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 50
PRICES = 3


@pytest.fixture(params=["uvicorn", "serve.py"])
def server(request, settings):
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "WS_RELAY_INTERVAL_S": "30"}
    env["DATA_DIR"] = str(settings.DATA_DIR)  # where the storer finds the relays to wake
    port = _free_port()
    if request.param == "serve.py":
        env |= OFFLINE_PROVIDERS | {"HOST": "127.0.0.1", "PORT": str(port), "STREAM_PRICES": "0"}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "platform" / "offline"), str(ROOT)])
        # The test database is migrated already: serve.py's start-up steps would only add seconds.
        command = [sys.executable, "bin/serve.py", "--no-prepare"]
    else:
        command = [sys.executable, "-m", "uvicorn", "cryptodt.asgi:application", "--host", "127.0.0.1"]
        command += ["--port", str(port), "--no-access-log", "--lifespan", "off", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    children: set[int] = set()
    try:
        _wait_until_up(base, process)
        children = descendants(process.pid)
        yield base.replace("http://", "ws://") + "/ws/prices"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # uvicorn with the Redis layer sometimes never ends its shutdown (a channels_redis
            # receive that loses its cancellation: BENCHMARKS.md, "Live feed under
            # bin/serve.py"); a SIGINT during the shutdown is its "force quit".
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid in children:  # granian's workers and the cluster, should serve.py have been killed
            if is_alive(pid):
                os.kill(pid, 9)


def test_prices_stored_elsewhere_reach_fifty_sockets_within_two_seconds(server):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    row = MarketRow(coin_id="bitcoin", symbol="btc", name="Bitcoin", price=Decimal("65000"), as_of=start, rank=1)
    ingest.ingest_market_rows(rows=[row], source="seed", track=True)

    async def scenario() -> list[float]:
        arrivals: dict[str, list[float]] = {}
        ready = [asyncio.Event() for _ in range(CLIENTS)]

        async def client(event: asyncio.Event) -> None:
            async with websockets.connect(server, max_queue=None, open_timeout=30) as ws:
                await ws.send(json.dumps({"action": "subscribe", "symbols": ["BTC"]}))
                while True:
                    frame = json.loads(await ws.recv())
                    if frame["type"] != "price":
                        continue
                    if frame["source"] == "seed":
                        event.set()
                    else:
                        arrivals.setdefault(frame["as_of"], []).append(time.time())

        tasks = [asyncio.create_task(client(event)) for event in ready]
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in ready)), timeout=60)
        sent = {}
        for n in range(1, PRICES + 1):
            t = start + timedelta(seconds=n)
            sent[t.strftime("%Y-%m-%dT%H:%M:%SZ")] = time.time()
            quote = Quote(coin_id="bitcoin", symbol="BTC", price=Decimal(65000 + n), as_of=t)
            await asyncio.to_thread(ingest.ingest_quotes, quotes=[quote], source="binance")
            await asyncio.sleep(0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and sum(len(arrivals.get(k, [])) for k in sent) < CLIENTS * PRICES:
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return sorted(arrived - sent[k] for k in sent for arrived in arrivals.get(k, []))

    latencies = asyncio.run(scenario())
    assert len(latencies) == CLIENTS * PRICES, "every socket gets every price"
    assert latencies[int(0.99 * (len(latencies) - 1))] < 2.0

"""A stream handshake refused with 451 is "blocked here": recorded once, not retried in a loop."""

import asyncio
import threading

import pytest
from websockets.sync.server import serve

from providers import binance_stream, breaker, budget

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_451_on_the_stream_handshake_blocks_binance_here_instead_of_reconnecting(settings):
    attempts = []

    def refuse(connection, request):
        attempts.append(request.path)
        return connection.respond(451, "Service unavailable from a restricted location")

    server = serve(lambda connection: None, "127.0.0.1", 0, process_request=refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BINANCE_WS_URL = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
    lines = []

    async def scenario():
        stop = asyncio.Event()

        def log(line: str) -> None:
            lines.append(line)
            if line.startswith("stream not opened"):
                stop.set()  # it is waiting out the block: that is what we wanted to see

        await asyncio.wait_for(binance_stream.listen(stop=stop, on_message=None, log=log), timeout=20)

    try:
        asyncio.run(scenario())
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert len(attempts) == 1
    assert "451" in budget.blocked("binance")["reason"]
    assert breaker.read("binance").state == breaker.CLOSED

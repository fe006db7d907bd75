"""Put on PYTHONPATH of server processes that tests start: they (and every worker they
fork or spawn) may then connect to loopback only, like the test process itself."""

from tests.network_guard import block_internet

block_internet()

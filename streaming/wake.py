"""Embedded profile: a datagram from the process that stored prices wakes the web
process's relay (streaming.relay) at once, instead of the relay finding them on its next
poll.

Each web process that relays binds a UDP socket on 127.0.0.1 and writes its port to
``DATA_DIR/feed-wake/<pid>``; ``notify()`` (on the prices_stored signal, in whichever
process stored them) sends one empty datagram to every such port. The datagram carries no
data, only "look now": a stray or forged one costs one query, a lost one the poll
interval (the relay still polls every WS_RELAY_INTERVAL_S as the fallback). Loopback UDP
needs no path short enough for a UNIX socket name and cannot block the sender.
"""

import asyncio
import logging
import os
import socket
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)


def _directory() -> Path:
    return Path(settings.DATA_DIR) / "feed-wake"


class _Waker(asyncio.DatagramProtocol):
    def __init__(self, event: asyncio.Event):
        self.event = event

    def datagram_received(self, data, addr) -> None:
        self.event.set()


async def listen(event: asyncio.Event) -> asyncio.DatagramTransport | None:
    """Sets ``event`` on every wake-up datagram; None when it cannot listen (polling remains)."""
    loop = asyncio.get_running_loop()
    try:
        transport, _ = await loop.create_datagram_endpoint(lambda: _Waker(event), local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        directory = _directory()
        directory.mkdir(parents=True, exist_ok=True)
        (directory / str(os.getpid())).write_text(str(port))
    except OSError as exc:
        logger.warning("price relay cannot listen for wake-ups, polling only: %s", exc)
        return None
    return transport


def stop_listening(transport: asyncio.DatagramTransport | None) -> None:
    if transport is None:
        return
    transport.close()
    (_directory() / str(os.getpid())).unlink(missing_ok=True)


def notify() -> int:
    """Wake every relaying web process on this data directory; returns how many were told."""
    try:
        entries = list(_directory().iterdir())
    except OSError:
        return 0
    told = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for entry in entries:
            try:
                pid, port = int(entry.name), int(entry.read_text())
                if pid != os.getpid() and not _alive(pid):
                    entry.unlink(missing_ok=True)  # a web process that died without cleaning up
                    continue
                sock.sendto(b"", ("127.0.0.1", port))
                told += 1
            except (OSError, ValueError):
                continue
    return told


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

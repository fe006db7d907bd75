"""Helpers for tests that start the real server as a subprocess."""

import os
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Providers point at a closed loopback port, so scheduled collection fails fast
# instead of reaching the internet (which the offline sitecustomize also forbids).
_UNREACHABLE = "http://127.0.0.1:9"
OFFLINE_PROVIDERS = {
    name: _UNREACHABLE
    for name in (
        "COINGECKO_BASE_URL",
        "BINANCE_BASE_URL",
        "COINCAP_BASE_URL",
        "KRAKEN_BASE_URL",
        "DEFILLAMA_BASE_URL",
        "FNG_BASE_URL",
        "COINDESK_BASE_URL",
        "COINBASE_BASE_URL",
        "COINPAPRIKA_BASE_URL",
        "DEFILLAMA_PRICES_BASE_URL",
        "NEWS_RSS_FEEDS",
    )
} | {"BINANCE_WS_URL": "ws://127.0.0.1:9"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; fields after its closing ")" are fixed.
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"

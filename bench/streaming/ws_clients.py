"""Many cheap /ws/prices clients in one process, for bench/streaming/feed_latency.py.

A websockets client costs a coroutine, a queue and a frame parser per message; 1,000 of
them in the bench process cost as much CPU as the server they measure, on the same cores.
Here each socket is a bare asyncio.Protocol: a hand-written handshake, then server frames
are cut out of the byte stream and each price's arrival time taken in ``data_received``.
It offers permessage-deflate like a browser (the server then compresses per socket, as it
does for real clients) unless --no-deflate.

    python -m bench.streaming.ws_clients URL N [--symbol BTC] [--ready-source bench] [--no-deflate]

Prints ``ready`` once every socket has the snapshot price (source --ready-source), then
answers lines on stdin: ``count`` -> deliveries so far, ``dump`` -> JSON {as_of: [arrival
times]}, CPU seconds, sockets lost, how many negotiated permessage-deflate; and exits.
"""

import argparse
import asyncio
import base64
import json
import os
import sys
import time
import zlib
from urllib.parse import urlsplit

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None


class Client(asyncio.Protocol):
    def __init__(self, host: str, path: str, symbol: str, ready_source: str, deflate: bool, shared: dict):
        self.host, self.path, self.symbol, self.ready_source = host, path, symbol, ready_source
        self.deflate_offer, self.shared = deflate, shared
        self.buffer = b""
        self.handshaken = False
        self.inflater = None
        self.ready = False
        self.fragments: list[bytes] = []
        self.compressed = False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {self.path} HTTP/1.1",
            f"Host: {self.host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        if self.deflate_offer:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def connection_lost(self, exc) -> None:
        self.shared["lost"] += 1

    def send_frame(self, opcode: int, payload: bytes) -> None:
        # Client frames must be masked; a zero key is a valid mask and leaves the payload as is.
        assert len(payload) < 126
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self.buffer + data
        if not self.handshaken:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self.buffer = buffer
                return
            head, buffer = buffer[:end].decode("latin-1"), buffer[end + 4 :]
            if not head.startswith("HTTP/1.1 101"):
                raise SystemExit(f"handshake refused: {head.splitlines()[0]}")
            if "permessage-deflate" in head.lower():
                self.inflater = zlib.decompressobj(-15)
                self.shared["deflated"] += 1
            self.handshaken = True
            self.send_frame(0x1, json.dumps({"action": "subscribe", "symbols": [self.symbol]}).encode())
        at = 0
        size = len(buffer)
        while size - at >= 2:
            b0, b1 = buffer[at], buffer[at + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if size - at < 4:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 4], "big"), 4
            elif length == 127:
                if size - at < 10:
                    break
                length, head = int.from_bytes(buffer[at + 2 : at + 10], "big"), 10
            if size - at < head + length:
                break
            payload = buffer[at + head : at + head + length]
            at += head + length
            self.frame(b0, payload, now)
        self.buffer = buffer[at:]

    def frame(self, b0: int, payload: bytes, now: float) -> None:
        opcode = b0 & 0x0F
        if opcode == 0x9:  # ping: the server closes sockets that do not answer
            self.send_frame(0xA, payload)
            return
        if opcode == 0x8:
            self.transport.close()
            return
        if opcode not in (0x0, 0x1):
            return
        self.fragments.append(payload)
        if opcode == 0x1:
            self.compressed = bool(b0 & 0x40)
        if not b0 & 0x80:
            return
        message, self.fragments = b"".join(self.fragments), []
        if self.compressed:
            message = self.inflater.decompress(message + b"\x00\x00\xff\xff")
        frame = json.loads(message)
        if frame.get("type") != "price":
            return
        if frame["source"] == self.ready_source:
            if not self.ready:
                self.ready = True
                self.shared["ready"] += 1
                if self.shared["ready"] == self.shared["clients"]:
                    self.shared["all_ready"].set()
            return
        self.shared["arrivals"].setdefault(frame["as_of"], []).append(now)
        self.shared["count"] += 1


async def main(args) -> None:
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    loop = asyncio.get_running_loop()
    shared = {"clients": args.clients, "ready": 0, "count": 0, "lost": 0, "deflated": 0, "arrivals": {}}
    shared["all_ready"] = asyncio.Event()
    for n in range(args.clients):
        await loop.create_connection(
            lambda: Client(f"{host}:{port}", parts.path, args.symbol, args.ready_source, args.deflate, shared),
            host,
            port,
        )
        if n % 50 == 49:
            await asyncio.sleep(0)  # let handshakes proceed while connecting the rest
    await asyncio.wait_for(shared["all_ready"].wait(), timeout=300)
    print("ready", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).strip():
        if line == b"count":
            print(shared["count"], flush=True)
        elif line == b"dump":
            cpu = sum(os.times()[:2])
            dump = {key: shared[key] for key in ("arrivals", "lost", "deflated")}
            print(json.dumps({**dump, "cpu_s": cpu}), flush=True)
            return


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("clients", type=int)
    parser.add_argument("--symbol", default="BTC")
    parser.add_argument("--ready-source", default="bench")
    parser.add_argument("--no-deflate", dest="deflate", action="store_false")
    arguments = parser.parse_args()
    if uvloop is not None:
        uvloop.install()
    asyncio.run(main(arguments))

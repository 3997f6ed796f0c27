"""Helper servers for the thread and interrupt tests, each run as a process of its own (so it
answers whatever the test process's threads are doing). Prints its URL on the first line.

    python peers.py silent SECONDS
        accepts connections and never answers; exits after SECONDS (its connections reset).
    python peers.py slow UPSTREAM DELAY SECONDS [MARKER]
        a TCP proxy to UPSTREAM (http://host:port) that holds each chunk a client sends for
        DELAY seconds before passing it on (only the chunks that contain MARKER, such as
        "GET /benchmarks/load", when given); exits after SECONDS.
"""

import asyncio
import socket
import sys
import time
from urllib.parse import urlsplit


def silent(seconds):
    """Listens without ever accepting: the kernel completes the handshakes, nobody answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"http://127.0.0.1:{listener.getsockname()[1]}", flush=True)
    time.sleep(seconds)


async def pipe(reader, writer, delay, marker=b""):
    """Copies ``reader`` to ``writer``, holding each chunk that contains ``marker`` for
    ``delay`` seconds."""
    try:
        while chunk := await reader.read(65536):
            if delay and marker in chunk:
                await asyncio.sleep(delay)
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def slow(upstream, delay, seconds, marker):
    """The delaying proxy, for ``seconds``."""
    target = urlsplit(upstream)

    async def handle(client_reader, client_writer):
        server_reader, server_writer = await asyncio.open_connection(target.hostname, target.port)
        await asyncio.gather(
            pipe(client_reader, server_writer, delay, marker),
            pipe(server_reader, client_writer, 0),
        )

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await asyncio.sleep(seconds)


if __name__ == "__main__":
    if sys.argv[1] == "silent":
        silent(float(sys.argv[2]))
    elif sys.argv[1] == "slow":
        marker = sys.argv[5].encode() if len(sys.argv) > 5 else b""
        asyncio.run(slow(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), marker))
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}")

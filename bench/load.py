"""A load-generating client process: many concurrent echo connections, latency per request.

Run as ``python -m bench.load --port P --clients C --requests N --seconds S``; prints one JSON
line ``{"latencies": [...], "seconds": wall, "errors": k}``. It runs in its own process so its
interpreter lock does not slow the server under test; asyncio keeps 128 clients cheap.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from typing import List, Optional, Sequence

from .targets import PAYLOAD

LOOPBACK = "127.0.0.1"
IO_TIMEOUT = 10.0
MAX_READS = 64


async def _one_request(port: int) -> None:
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    with sock:
        await loop.sock_connect(sock, (LOOPBACK, port))
        await loop.sock_sendall(sock, PAYLOAD)
        received = b""
        for _ in range(MAX_READS):  # until the server closes (see bench.echo_client)
            chunk = await loop.sock_recv(sock, 4096)
            if not chunk:
                break
            received += chunk
    if received != PAYLOAD:
        raise ValueError(f"bad echo {received!r}")


async def _client(
    port: int, tickets: List[int], deadline: float, latencies: List[float], errors: List[str]
) -> None:
    while tickets and time.monotonic() < deadline:
        tickets.pop()
        started = time.perf_counter()
        try:
            await asyncio.wait_for(_one_request(port), IO_TIMEOUT)
        except (OSError, ValueError, asyncio.TimeoutError) as error:
            errors.append(f"{type(error).__name__}: {error}")
            continue
        latencies.append(time.perf_counter() - started)


async def _run(port: int, clients: int, requests: int, seconds: float) -> dict[str, object]:
    tickets = list(range(requests))
    latencies: List[float] = []
    errors: List[str] = []
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    await asyncio.gather(
        *(_client(port, tickets, deadline, latencies, errors) for _ in range(clients))
    )
    return {
        "latencies": latencies,
        "seconds": time.perf_counter() - started,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Drive the server and print the JSON result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    result = asyncio.run(_run(args.port, args.clients, args.requests, args.seconds))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A load-generating client process: many concurrent echo connections, latency per request.

Steered by :class:`bench.control.LoadProcess`: it prints ``ready``, then for each input line
``{"port": P, "clients": C, "requests": N, "seconds": S}`` drives the server and prints one JSON
line ``{"latencies": [...], "seconds": wall, "errors": k, "first_error": text}``; it ends on
``stop`` or end of input. It runs in its own process so its interpreter lock does not slow the
server under test, and stays up between loads so start-up costs are paid once; asyncio keeps
128 clients cheap.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import time
from typing import List

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


def main() -> int:
    """Answer load orders until told to stop."""
    # The parent owns this process's lifetime: Ctrl-C reaches it, and it says stop or dies.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() in ("stop", ""):
            break
        order = json.loads(line)
        result = asyncio.run(
            _run(order["port"], order["clients"], order["requests"], order["seconds"])
        )
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

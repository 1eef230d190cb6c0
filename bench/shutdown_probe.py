"""Measure how long ``shutdown()`` takes while ``serve_forever()`` runs with its default interval.

Run as ``python -m bench.shutdown_probe --target T --samples N``; prints one JSON line
``{"latencies": [...], "poll_interval": 0.5}``. For each sample a fresh TCP server starts
``serve_forever()`` in a thread, answers one request (so the loop is known to be running), and
after a random delay of up to one poll interval, which samples every phase of the polling
cycle, the main thread calls ``shutdown()`` and times it.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import socketserver
import sys
import threading
import time
from typing import List, Optional, Sequence, cast

from .echo_client import tcp_request
from .targets import echo_server_class

LOOPBACK = "127.0.0.1"
JOIN_SECONDS = 10.0
FALLBACK_POLL_INTERVAL = 0.5


def default_poll_interval(server_class: type[socketserver.BaseServer]) -> float:
    """The documented default of ``serve_forever(poll_interval=...)`` in this implementation."""
    default = inspect.signature(server_class.serve_forever).parameters["poll_interval"].default
    return float(default) if isinstance(default, (int, float)) else FALLBACK_POLL_INTERVAL


def one_sample(server_class: type[socketserver.TCPServer], handler: type, phase: float) -> float:
    """Seconds one ``shutdown()`` call takes, ``phase`` seconds after a served request."""
    handler_class = cast("type[socketserver.BaseRequestHandler]", handler)
    server = server_class((LOOPBACK, 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        thread.start()
        tcp_request(int(server.socket.getsockname()[1]))
        # Deliberate: the delay is the quantity being varied, not a wait for an event.
        time.sleep(phase)
        started = time.perf_counter()
        server.shutdown()
        elapsed = time.perf_counter() - started
        thread.join(JOIN_SECONDS)
        if thread.is_alive():
            raise RuntimeError("serve_forever() was still running after shutdown() returned")
        return elapsed
    finally:
        server.server_close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Take the samples and print the JSON result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.shutdown_probe")
    parser.add_argument("--target", required=True)
    parser.add_argument("--samples", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    server_class, handler = echo_server_class(args.target, "tcp-base", "single", None)
    poll_interval = default_poll_interval(server_class)
    phases = random.Random(args.seed)
    latencies: List[float] = [
        one_sample(server_class, handler, phases.uniform(0.0, poll_interval))
        for _ in range(args.samples)
    ]
    print(json.dumps({"latencies": latencies, "poll_interval": poll_interval}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

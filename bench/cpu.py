"""Server CPU per request: the server process's own CPU time, divided by the requests it served.

With a Python client on a 2-core machine the client, not the server, bounds wall-clock
throughput, so wall time hides the server's cost; the server's CPU time does not. Each target
serves in its own process; the client runs here, one request at a time.
"""

from __future__ import annotations

import time
from typing import Callable, List, Sequence

from .control import ServerProcess
from .echo_client import UdpClient, tcp_request
from .results import Row
from .targets import SCENARIOS

SECTION = "cpu_per_request"


def _request_function(scenario: str, port: int) -> tuple[Callable[[], None], Callable[[], None]]:
    if SCENARIOS[scenario][0] == "tcp":
        return (lambda: tcp_request(port)), (lambda: None)
    client = UdpClient(port)
    return client.request, client.close


def measure(
    targets: Sequence[str], scenarios: Sequence[str], requests: int, repetitions: int
) -> List[Row]:
    """CPU microseconds per request and client wall microseconds, per scenario and target."""
    rows: List[Row] = []
    for scenario in scenarios:
        for target in targets:
            cpu_samples: List[float] = []
            wall_samples: List[float] = []
            with ServerProcess(["--target", target, "--scenario", scenario]) as server:
                send, close = _request_function(scenario, server.port)
                try:
                    for _ in range(max(1, requests // 10)):  # warm up caches and the allocator
                        send()
                    for _ in range(repetitions):
                        cpu_before = server.cpu_seconds()
                        wall_before = time.perf_counter()
                        for _ in range(requests):
                            send()
                        wall_after = time.perf_counter()
                        cpu_after = server.cpu_seconds()
                        cpu_samples.append((cpu_after - cpu_before) / requests * 1e6)
                        wall_samples.append((wall_after - wall_before) / requests * 1e6)
                finally:
                    close()
            rows.append(Row(SECTION, scenario, target, "server CPU per request", "us", cpu_samples))
            rows.append(
                Row(
                    SECTION,
                    scenario,
                    target,
                    "client wall per request",
                    "us",
                    wall_samples,
                    shown=False,
                )
            )
    return rows

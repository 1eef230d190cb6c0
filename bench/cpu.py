"""Server CPU per request: the server process's own CPU time, divided by the requests it served.

With a Python client on a 2-core machine the client, not the server, bounds wall-clock
throughput, so wall time hides the server's cost; the server's CPU time does not. Each target
serves in its own process; the client runs here, one request at a time. The servers of all
targets stay up together and the repetitions take turns between them, so a change in the
machine's load during the run touches every target alike instead of skewing one.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Dict, List, Sequence, Tuple

from .control import ServerProcess
from .echo_client import UdpClient, tcp_request
from .results import Row
from .targets import SCENARIOS

SECTION = "cpu_per_request"


def _client(scenario: str, port: int, stack: contextlib.ExitStack) -> Callable[[], None]:
    if SCENARIOS[scenario][0] == "tcp":
        return lambda: tcp_request(port)
    client = UdpClient(port)
    stack.callback(client.close)
    return client.request


def _one_repetition(
    server: ServerProcess, send: Callable[[], None], requests: int
) -> Tuple[float, float]:
    """Server CPU and client wall microseconds per request over ``requests`` requests."""
    cpu_before = server.cpu_seconds()
    wall_before = time.perf_counter()
    for _ in range(requests):
        send()
    wall_after = time.perf_counter()
    cpu_after = server.cpu_seconds()
    return (cpu_after - cpu_before) / requests * 1e6, (wall_after - wall_before) / requests * 1e6


def measure(
    targets: Sequence[str], scenarios: Sequence[str], requests: int, repetitions: int
) -> List[Row]:
    """CPU microseconds per request and client wall microseconds, per scenario and target."""
    rows: List[Row] = []
    for scenario in scenarios:
        cpu_samples: Dict[str, List[float]] = {target: [] for target in targets}
        wall_samples: Dict[str, List[float]] = {target: [] for target in targets}
        with contextlib.ExitStack() as stack:
            servers: Dict[str, Tuple[ServerProcess, Callable[[], None]]] = {}
            for target in targets:
                server = stack.enter_context(
                    ServerProcess(["--target", target, "--scenario", scenario])
                )
                send = _client(scenario, server.port, stack)
                for _ in range(max(1, requests // 10)):  # warm up caches and the allocator
                    send()
                servers[target] = (server, send)
            for repetition in range(repetitions):
                # Rotate the order so no target always runs right after another's burst.
                shift = repetition % len(targets)
                for target in [*targets[shift:], *targets[:shift]]:
                    server, send = servers[target]
                    cpu_us, wall_us = _one_repetition(server, send, requests)
                    cpu_samples[target].append(cpu_us)
                    wall_samples[target].append(wall_us)
        for target in targets:
            rows.append(
                Row(SECTION, scenario, target, "server CPU per request", "us", cpu_samples[target])
            )
            rows.append(
                Row(
                    SECTION,
                    scenario,
                    target,
                    "client wall per request",
                    "us",
                    wall_samples[target],
                    shown=False,
                )
            )
    return rows

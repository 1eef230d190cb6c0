"""Server CPU per request: the server process's own CPU time, divided by the requests it served.

With a Python client on a 2-core machine the client, not the server, bounds wall-clock
throughput, so wall time hides the server's cost; the server's CPU time does not. Each target
serves in its own process; the client runs here, one request at a time. The servers of all
targets stay up together and the repetitions take turns between them, so a change in the
machine's load during the run touches every target alike instead of skewing one.

Where the platform allows it, the client and the servers run on one CPU for this section.
Otherwise each request's cost depends on where the scheduler put the two processes: a
server woken on the other, idle CPU was charged some 30 us per UDP echo instead of 5
(measured on the 2-core bench machine), and which of the two a target got decided its
median. Each scenario is measured in ``rounds`` sets of fresh server processes, as a
process's cost also depends on its own memory layout.
"""

from __future__ import annotations

import contextlib
import os
import time
from typing import Callable, Dict, Generator, List, Sequence, Tuple

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


@contextlib.contextmanager
def _one_cpu() -> Generator[List[str], None, None]:
    """Run this process on one of its CPUs meanwhile; yields the servers' ``--cpu`` option."""
    getter = getattr(os, "sched_getaffinity", None)
    setter = getattr(os, "sched_setaffinity", None)
    if getter is None or setter is None:
        yield []
        return
    allowed = getter(0)
    cpu = min(allowed)
    setter(0, {cpu})
    try:
        yield ["--cpu", str(cpu)]
    finally:
        setter(0, allowed)


def measure(
    targets: Sequence[str],
    scenarios: Sequence[str],
    requests: int,
    repetitions: int,
    rounds: int = 1,
) -> List[Row]:
    """CPU microseconds per request and client wall microseconds, per scenario and target.

    ``rounds`` sets of fresh servers per scenario, each with ``repetitions`` turns per target.
    """
    rows: List[Row] = []
    with _one_cpu() as pin:
        for scenario in scenarios:
            cpu_samples: Dict[str, List[float]] = {target: [] for target in targets}
            wall_samples: Dict[str, List[float]] = {target: [] for target in targets}
            for round_number in range(rounds):
                _round(
                    scenario,
                    targets,
                    pin=pin,
                    requests=requests,
                    repetitions=range(round_number * repetitions, (round_number + 1) * repetitions),
                    samples=(cpu_samples, wall_samples),
                )
            rows += _rows(scenario, targets, cpu_samples, wall_samples)
    return rows


def _round(
    scenario: str,
    targets: Sequence[str],
    *,
    pin: List[str],
    requests: int,
    repetitions: range,
    samples: Tuple[Dict[str, List[float]], Dict[str, List[float]]],
) -> None:
    """One set of fresh servers, the targets taking turns for each of ``repetitions``."""
    cpu_samples, wall_samples = samples
    with contextlib.ExitStack() as stack:
        servers: Dict[str, Tuple[ServerProcess, Callable[[], None]]] = {}
        for target in targets:
            server = stack.enter_context(
                ServerProcess(["--target", target, "--scenario", scenario, *pin])
            )
            send = _client(scenario, server.port, stack)
            for _ in range(max(1, requests // 10)):  # warm up caches and the allocator
                send()
            servers[target] = (server, send)
        for repetition in repetitions:
            # Rotate the order so no target always runs right after another's burst.
            shift = repetition % len(targets)
            for target in [*targets[shift:], *targets[:shift]]:
                server, send = servers[target]
                cpu_us, wall_us = _one_repetition(server, send, requests)
                cpu_samples[target].append(cpu_us)
                wall_samples[target].append(wall_us)


def _rows(
    scenario: str,
    targets: Sequence[str],
    cpu_samples: Dict[str, List[float]],
    wall_samples: Dict[str, List[float]],
) -> List[Row]:
    rows: List[Row] = []
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

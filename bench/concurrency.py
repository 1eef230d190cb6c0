"""Concurrency: threading and forking TCP servers under 8, 32 and 128 concurrent clients.

The load comes from a separate client process (:mod:`bench.load`). Both implementations get
``request_queue_size`` raised to 128 (the floor listens with 128 too): with the class default of
5, a burst of 128 connects overflows the kernel's accept queue and the 1 s SYN retransmission
timer, not the server, would set the p99. As in :mod:`bench.cpu`, the servers of all targets
stay up together and the repetitions take turns between them.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, List, Sequence

from .control import BenchError, LoadProcess, ServerProcess
from .results import Row
from .stats import percentile

SECTION = "concurrency"
BACKLOG = 128


def measure(
    targets: Sequence[str],
    modes: Sequence[str],
    client_counts: Sequence[int],
    *,
    requests: Dict[str, int],
    repetitions: int,
    seconds_per_run: Dict[str, float],
) -> List[Row]:
    """Requests per second and p50/p99 latency per mode, client count and target.

    A run ends after ``requests[mode]`` requests or, on a slow or busy machine, once
    ``seconds_per_run[mode]`` have passed (requests in flight then still complete and count).
    """
    rows: List[Row] = []
    for mode in modes:
        for clients in client_counts:
            case = f"{mode}-{clients}"
            throughput: Dict[str, List[float]] = {target: [] for target in targets}
            p50: Dict[str, List[float]] = {target: [] for target in targets}
            p99: Dict[str, List[float]] = {target: [] for target in targets}
            cpu: Dict[str, List[float]] = {target: [] for target in targets}
            with contextlib.ExitStack() as stack:
                load = stack.enter_context(LoadProcess())
                servers: Dict[str, ServerProcess] = {}
                for target in targets:
                    serve_args = ["--target", target, "--scenario", "tcp-base", "--mode", mode]
                    server = stack.enter_context(
                        ServerProcess([*serve_args, "--backlog", str(BACKLOG)])
                    )
                    servers[target] = server
                    # A first short run warms the server (imports, thread/fork paths, caches).
                    warm_up = max(clients, requests[mode] // 10)
                    run_load(load, server.port, clients, warm_up, seconds_per_run[mode] / 4)
                run_seconds = seconds_per_run[mode]
                for repetition in range(repetitions):
                    shift = repetition % len(targets)
                    for target in [*targets[shift:], *targets[:shift]]:
                        server = servers[target]
                        cpu_before = server.cpu_seconds()
                        result = run_load(load, server.port, clients, requests[mode], run_seconds)
                        latencies: List[float] = result["latencies"]
                        # Forked children count once reaped, so this slightly undercounts forking.
                        cpu_used = server.cpu_seconds() - cpu_before
                        cpu[target].append(cpu_used / max(1, len(latencies)) * 1e6)
                        throughput[target].append(len(latencies) / float(result["seconds"]))
                        p50[target].append(percentile(latencies, 0.50) * 1e3)
                        p99[target].append(percentile(latencies, 0.99) * 1e3)
            for target in targets:
                rows += [
                    Row(SECTION, case, target, "requests/s", "req/s", throughput[target], True),
                    Row(SECTION, case, target, "p50 latency", "ms", p50[target]),
                    Row(SECTION, case, target, "p99 latency", "ms", p99[target]),
                    Row(
                        SECTION,
                        case,
                        target,
                        "server CPU per request",
                        "us",
                        cpu[target],
                        shown=False,
                    ),
                ]
    return rows


def run_load(
    load: LoadProcess, port: int, clients: int, requests: int, seconds: float
) -> Dict[str, Any]:
    """One load run against ``port``; a failed request fails the benchmark."""
    result = load.run(port, clients, requests, seconds)
    if result["errors"]:
        raise BenchError(f"{result['errors']} failed requests, first: {result['first_error']}")
    return result

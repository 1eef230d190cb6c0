"""Concurrency: threading and forking TCP servers under 8, 32 and 128 concurrent clients.

The load comes from a separate client process (:mod:`bench.load`). Both implementations get
``request_queue_size`` raised to 128 (the floor listens with 128 too): with the class default of
5, a burst of 128 connects overflows the kernel's accept queue and the 1 s SYN retransmission
timer, not the server, would set the p99.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Sequence

from .control import BenchError, ServerProcess, run_json_child
from .results import Row
from .stats import percentile

SECTION = "concurrency"
BACKLOG = 128


def measure(
    targets: Sequence[str],
    modes: Sequence[str],
    client_counts: Sequence[int],
    requests: Dict[str, int],
    repetitions: int,
) -> List[Row]:
    """Requests per second and p50/p99 latency per mode, client count and target."""
    rows: List[Row] = []
    for mode in modes:
        for clients in client_counts:
            case = f"{mode}-{clients}"
            for target in targets:
                throughput: List[float] = []
                p50: List[float] = []
                p99: List[float] = []
                serve_args = ["--target", target, "--scenario", "tcp-base", "--mode", mode]
                with ServerProcess([*serve_args, "--backlog", str(BACKLOG)]) as server:
                    # A first short run warms the server (imports, thread/fork paths, caches).
                    _load(server.port, clients, max(clients, requests[mode] // 10))
                    for _ in range(repetitions):
                        result = _load(server.port, clients, requests[mode])
                        latencies: List[float] = result["latencies"]
                        throughput.append(len(latencies) / float(result["seconds"]))
                        p50.append(percentile(latencies, 0.50) * 1e3)
                        p99.append(percentile(latencies, 0.99) * 1e3)
                rows.append(Row(SECTION, case, target, "requests/s", "req/s", throughput, True))
                rows.append(Row(SECTION, case, target, "p50 latency", "ms", p50))
                rows.append(Row(SECTION, case, target, "p99 latency", "ms", p99))
    return rows


def _load(port: int, clients: int, requests: int) -> Dict[str, Any]:
    line = run_json_child(
        "bench.load",
        ["--port", str(port), "--clients", str(clients), "--requests", str(requests)],
        timeout=60.0,
    )
    result: Dict[str, Any] = json.loads(line)
    if result["errors"]:
        raise BenchError(f"{result['errors']} failed requests, first: {result['first_error']}")
    return result

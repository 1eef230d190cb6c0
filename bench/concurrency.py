"""Concurrency: threading and forking TCP servers under 8, 32 and 128 concurrent clients.

The load comes from a separate client process (:mod:`bench.load`). Both implementations get
``request_queue_size`` raised to 128 (the floor listens with 128 too): with the class default of
5, a burst of 128 connects overflows the kernel's accept queue and the 1 s SYN retransmission
timer, not the server, would set the p99. Each repetition starts fresh server processes for
all targets, which stay up together while the targets take turns (see ``_repetition``).
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, List, Sequence, Tuple

from .control import BenchError, LoadProcess, ServerProcess, Usage
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
    repetitions: Dict[str, int],
    seconds_per_run: Dict[str, float],
    turns: Dict[str, int],
) -> List[Row]:
    """Requests per second and p50/p99 latency per mode, client count and target.

    A run ends after ``requests[mode]`` requests or, on a slow or busy machine, once
    ``seconds_per_run[mode]`` have passed (requests in flight then still complete and count).
    Each repetition gives every target ``turns[mode]`` runs, taking turns (A B C A B C ...).
    """
    seconds = seconds_per_run
    rows: List[Row] = []
    for mode in modes:
        for clients in client_counts:
            case = f"{mode}-{clients}"
            samples: Dict[str, Dict[str, List[float]]] = {target: {} for target in targets}
            with LoadProcess() as load:
                for repetition in range(repetitions[mode]):
                    _repetition(
                        load,
                        targets,
                        mode,
                        clients,
                        repetition=repetition,
                        samples=samples,
                        requests=requests,
                        seconds=seconds,
                        turns=turns[mode],
                    )
            for target in targets:
                rows += [
                    Row(SECTION, case, target, metric, _UNITS[metric], values, *_SHOWN[metric])
                    for metric, values in samples[target].items()
                ]
    return rows


# metric -> unit; (higher_is_better, shown) for each metric; the rest are supporting figures.
_UNITS = {
    "requests/s": "req/s",
    "p50 latency": "ms",
    "p99 latency": "ms",
    "server CPU per request": "us",
    "parent CPU per request": "us",
    "children CPU per request": "us",
    "parent page faults per request": "faults",
    "children page faults per request": "faults",
}
_SHOWN: Dict[str, Tuple[bool, bool]] = {
    metric: (metric == "requests/s", metric in ("requests/s", "p50 latency", "p99 latency"))
    for metric in _UNITS
}


def _repetition(
    load: LoadProcess,
    targets: Sequence[str],
    mode: str,
    clients: int,
    *,
    repetition: int,
    samples: Dict[str, Dict[str, List[float]]],
    requests: Dict[str, int],
    seconds: Dict[str, float],
    turns: int,
) -> None:
    """``turns`` runs of every target, each in a server process started for this repetition.

    Fresh processes, because a forked child's cost depends on the state of the process it
    is forked from (what its type attribute cache and allocators hold, which follows from
    everything the process did before), so one process per target for the whole case would
    fix one such state. The targets take turns, and their order rotates from turn to turn:
    the machine's load changes over seconds, and many short alternating runs sample it
    evenly, where one long run each lets a single loaded moment decide a case.
    """
    with contextlib.ExitStack() as stack:
        servers: Dict[str, ServerProcess] = {}
        for target in targets:
            serve_args = ["--target", target, "--scenario", "tcp-base", "--mode", mode]
            server = stack.enter_context(ServerProcess([*serve_args, "--backlog", str(BACKLOG)]))
            servers[target] = server
            # A first short run warms the server (imports, thread/fork paths, caches).
            warm_up = max(clients, requests[mode] // 10)
            run_load(load, server.port, clients, warm_up, seconds[mode] / 4)
        for turn in range(turns):
            shift = (repetition * turns + turn) % len(targets)
            for target in [*targets[shift:], *targets[:shift]]:
                server = servers[target]
                before = server.usage()
                result = run_load(load, server.port, clients, requests[mode], seconds[mode])
                figures = _figures(result, before, server.usage(), forking=mode == "forking")
                for metric, value in figures.items():
                    samples[target].setdefault(metric, []).append(value)


def _figures(
    result: Dict[str, Any], before: Usage, after: Usage, *, forking: bool
) -> Dict[str, float]:
    """One load run's figures; for forking, the server's CPU and faults split by process.

    Forked children count once reaped, so the CPU figures slightly undercount forking. Most
    of a forking server's CPU is copy-on-write page faults, in the parent and the children
    alike, which is why they are recorded.
    """
    latencies: List[float] = result["latencies"]
    served = max(1, len(latencies))
    figures = {
        "requests/s": len(latencies) / float(result["seconds"]),
        "p50 latency": percentile(latencies, 0.50) * 1e3,
        "p99 latency": percentile(latencies, 0.99) * 1e3,
        "server CPU per request": (after.total - before.total) / served * 1e6,
    }
    if forking:
        figures["parent CPU per request"] = (after.own - before.own) / served * 1e6
        figures["children CPU per request"] = (after.children - before.children) / served * 1e6
        figures["parent page faults per request"] = (after.own_faults - before.own_faults) / served
        figures["children page faults per request"] = (
            after.children_faults - before.children_faults
        ) / served
    return figures


def run_load(
    load: LoadProcess, port: int, clients: int, requests: int, seconds: float
) -> Dict[str, Any]:
    """One load run against ``port``; a failed request fails the benchmark."""
    result = load.run(port, clients, requests, seconds)
    if result["errors"]:
        raise BenchError(f"{result['errors']} failed requests, first: {result['first_error']}")
    return result

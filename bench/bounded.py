"""Bounded threads: ``ThreadingMixIn.max_threads`` (a sockspec.impl extension) under load.

128 concurrent clients from :mod:`bench.load` against sockspec.impl's ``ThreadingTCPServer``
with ``max_threads = 16`` and without a bound (the stdlib's behaviour, and the baseline of the
ratios), plus the stdlib's own for reference. Metrics: requests/s, p99 latency and the peak
number of request threads running at once (counted around ``process_request_thread`` in the
server process). ``request_queue_size`` is 128 for every target, as in :mod:`bench.concurrency`,
so the clients that the bound holds back wait in the listen backlog.
"""

from __future__ import annotations

import contextlib
from typing import Dict, List, Optional, Sequence, Tuple

from .concurrency import BACKLOG, run_load
from .control import LoadProcess, ServerProcess
from .results import Row
from .stats import percentile
from .targets import IMPL, STDLIB

SECTION = "bounded_threads"
CLIENTS = 128
MAX_THREADS = 16
BOUNDED = f"{IMPL} max_threads={MAX_THREADS}"
#: Target name -> (implementation, max_threads); the ratios compare with unbounded impl.
TARGETS: Dict[str, Tuple[str, Optional[int]]] = {
    STDLIB: (STDLIB, None),
    IMPL: (IMPL, None),
    BOUNDED: (IMPL, MAX_THREADS),
}
BASELINES: Sequence[str] = (IMPL,)


def measure(
    *, requests: int, repetitions: int, seconds_per_run: float, clients: int = CLIENTS
) -> List[Row]:
    """Requests/s, p99 latency and peak request threads per target, at ``clients`` clients."""
    names = list(TARGETS)
    throughput: Dict[str, List[float]] = {name: [] for name in names}
    p99: Dict[str, List[float]] = {name: [] for name in names}
    peak: Dict[str, List[float]] = {name: [] for name in names}
    with contextlib.ExitStack() as stack:
        load = stack.enter_context(LoadProcess())
        servers: Dict[str, ServerProcess] = {}
        for name, (target, max_threads) in TARGETS.items():
            serve_args = ["--target", target, "--scenario", "tcp-base", "--mode", "threading"]
            serve_args += ["--backlog", str(BACKLOG), "--count-threads"]
            if max_threads is not None:
                serve_args += ["--max-threads", str(max_threads)]
            servers[name] = stack.enter_context(ServerProcess(serve_args))
            run_load(
                load, servers[name].port, clients, max(clients, requests // 10), seconds_per_run
            )
            servers[name].peak_threads()  # the warm-up's peak is not a sample
        for repetition in range(repetitions):
            shift = repetition % len(names)
            for name in [*names[shift:], *names[:shift]]:
                result = run_load(load, servers[name].port, clients, requests, seconds_per_run)
                latencies: List[float] = result["latencies"]
                throughput[name].append(len(latencies) / float(result["seconds"]))
                p99[name].append(percentile(latencies, 0.99) * 1e3)
                peak[name].append(float(servers[name].peak_threads()))
    case = f"threading-{clients}"
    rows: List[Row] = []
    for name in names:
        rows += [
            Row(SECTION, case, name, "requests/s", "req/s", throughput[name], True),
            Row(SECTION, case, name, "p99 latency", "ms", p99[name]),
            Row(SECTION, case, name, "peak request threads", "threads", peak[name]),
        ]
    return rows

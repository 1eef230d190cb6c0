"""shutdown() latency while serve_forever() polls with its default interval: stdlib vs impl.

The stdlib notices a shutdown request only when its selector times out, so ``shutdown()`` waits
about half the poll interval on average; the reference implementation is meant to wake at once.
The probes for each target run at the same time in separate processes: they mostly sleep, and
running them side by side halves this section's wall time.
"""

from __future__ import annotations

import json
import subprocess
from typing import Dict, List, Sequence

from .control import ROOT, BenchError, child_environment, module_command
from .results import Row

SECTION = "shutdown"
PROBE_TIMEOUT = 120.0


def measure(targets: Sequence[str], samples: int) -> List[Row]:
    """The distribution of ``shutdown()`` durations per target, in milliseconds."""
    processes: Dict[str, subprocess.Popen[bytes]] = {}
    outputs: Dict[str, bytes] = {}
    try:
        for target in targets:
            processes[target] = subprocess.Popen(
                module_command(
                    "bench.shutdown_probe", ["--target", target, "--samples", str(samples)]
                ),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env=child_environment(),
            )
        for target, process in processes.items():
            try:
                out, err = process.communicate(timeout=PROBE_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise BenchError(
                    f"shutdown probe for {target} ran over {PROBE_TIMEOUT:.0f} s"
                ) from None
            if process.returncode != 0:
                tail = err.decode("utf-8", "replace")[-2000:]
                raise BenchError(f"shutdown probe for {target} failed:\n{tail}")
            outputs[target] = out
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
            process.communicate()
    rows: List[Row] = []
    for target in targets:
        result = json.loads(outputs[target].decode().strip().splitlines()[-1])
        latencies = [value * 1e3 for value in result["latencies"]]
        rows.append(
            Row(SECTION, "serve_forever-default-poll", target, "shutdown()", "ms", latencies)
        )
    return rows

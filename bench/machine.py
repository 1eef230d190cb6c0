"""Which machine and interpreter a benchmark ran on, so published numbers name their origin."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Dict, Union

MachineInfo = Dict[str, Union[str, int]]


def cpu_model() -> str:
    """The first ``model name`` in /proc/cpuinfo, or the platform's processor string."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or "unknown"


def usable_cores() -> int:
    """The cores this process may run on (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def describe() -> MachineInfo:
    """CPU model, core count, OS and the Python that runs the benchmarks."""
    return {
        "cpu_model": cpu_model(),
        "cores": usable_cores(),
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable_version": sys.version.split()[0],
    }


def load_average() -> str:
    """The 1-minute load average, to show how busy the machine was around a run."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return f"{os.getloadavg()[0]:.1f}"


def headline(info: MachineInfo) -> str:
    """One line naming the machine and the Python, printed above every result table."""
    return f"{info['cpu_model']}, {info['cores']} cores, {info['os']}, {info['python']}"

"""Probes for what a test leaves behind: descriptors, threads and processes (Linux /proc).

The /proc readings are the suite's own (:mod:`sockspec.conformance.harness`), shared with
the resource guard and the reference implementation's tests.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import sockspec.conformance.harness as probes


def open_descriptors() -> dict[int, str]:
    """This process's open descriptors and what each points at."""
    return probes.descriptor_targets()


def child_processes() -> list[int]:
    """PIDs of this process's children, zombies included."""
    return sorted(probes.child_processes())


def session_members(session: int) -> list[int]:
    """PIDs of live processes in the session led by ``session`` (orphans included)."""
    return probes.session_members(session)


@dataclass
class Leaks:
    """What appeared during a block and was still there at its end."""

    descriptors: list[str] = field(default_factory=list[str])
    threads: list[str] = field(default_factory=list[str])
    children: list[int] = field(default_factory=list[int])

    def __bool__(self) -> bool:
        return bool(self.descriptors or self.threads or self.children)

    def describe(self) -> str:
        """One line naming every leak."""
        parts = [f"descriptor {item}" for item in self.descriptors]
        parts += [f"thread {name}" for name in self.threads]
        parts += [f"child process {pid}" for pid in self.children]
        return "; ".join(parts) or "nothing"


@contextlib.contextmanager
def watch_leaks(settle: float = 2.0) -> Generator[Leaks, None, None]:
    """Record descriptors, threads and children opened inside the block and not released.

    Threads and children get up to ``settle`` seconds to finish after the block (they
    may be on their way out); whatever is left then is reported, and child processes
    are killed and reaped so that the test leaves none behind.
    """
    descriptors = open_descriptors()
    threads = set(threading.enumerate())
    children = set(child_processes())
    leaks = Leaks()
    yield leaks
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        new_threads = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
        new_children = [pid for pid in child_processes() if pid not in children]
        if not new_threads and not new_children:
            break
        time.sleep(0.01)  # polling with a deadline: threads and zombies have no event to wait on
    leaks.threads = sorted(
        t.name for t in threading.enumerate() if t not in threads and t.is_alive()
    )
    leaks.children = [pid for pid in child_processes() if pid not in children]
    for pid in leaks.children:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    leaks.descriptors = sorted(
        f"{fd} -> {target}"
        for fd, target in open_descriptors().items()
        if descriptors.get(fd) != target
    )


@dataclass
class Finished:
    """A finished subprocess and whatever of its session outlived it."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    leftovers: list[int]


def run_isolated(
    command: Sequence[str],
    *,
    deadline: float,
    env: Optional[dict[str, str]] = None,
    cwd: Optional[Path] = None,
) -> Finished:
    """Run ``command`` in its own session; report and kill anything of it left running."""
    started = time.monotonic()
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=deadline)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n[killed after the {deadline:g} s deadline]"
    seconds = time.monotonic() - started
    leftovers = session_members(process.pid)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return Finished(process.returncode, stdout, stderr, seconds, leftovers)

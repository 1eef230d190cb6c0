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
import uuid
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


def is_running(pid: int) -> bool:
    """Whether ``pid`` is a live process (Linux /proc): a zombie or a gone one is not."""
    return probes.child_state(pid) == "running"


#: The environment variable that marks every process of one :func:`run_isolated` run.
RUN_MARK = "SOCKSPEC_ISOLATED_RUN"
#: How long processes the run killed on its way out get to finish dying (SIGKILL is
#: asynchronous); a process still there after it is a leftover.
LEFTOVER_SETTLE = 2.0


def marked_processes(name: str, value: str) -> list[int]:
    """PIDs of live processes started with ``name=value`` in their environment (Linux /proc).

    A process's /proc environ is the one it was started with, and a forked copy keeps
    its parent's, so this finds every descendant of a marked process whatever session
    or parent it ended up in (an orphan adopted by init, a child in a new session);
    zombies show an empty environment and are not counted.
    """
    needle = f"{name}={value}".encode()
    found: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        if needle in environ.split(b"\0"):
            found.append(int(entry))
    return sorted(found)


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
    #: What each leftover was running (its command line), in the order of ``leftovers``.
    leftover_commands: list[str] = field(default_factory=list[str])


def run_isolated(
    command: Sequence[str],
    *,
    deadline: float,
    env: Optional[dict[str, str]] = None,
    cwd: Optional[Path] = None,
) -> Finished:
    """Run ``command`` in its own session; report and kill anything of it left running.

    Left running means: in the command's session, or anywhere else with the run's mark
    in its environment (the conformance runner starts each target's pytest in a session
    of its own, so its forked children are in neither the command's session nor, once
    orphaned, its process tree).
    """
    started = time.monotonic()
    mark = uuid.uuid4().hex
    marked_env = dict(os.environ if env is None else env)
    marked_env[RUN_MARK] = mark
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=marked_env,
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
    leftovers = _leftovers(process.pid, mark)
    commands = [_command_line(pid) for pid in leftovers]
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return Finished(process.returncode, stdout, stderr, seconds, leftovers, commands)


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return f"{pid}: " + raw.replace(b"\0", b" ").decode(errors="replace").strip()[:300]


def _leftovers(session: int, mark: str) -> list[int]:
    """What of a finished run is still alive after LEFTOVER_SETTLE: its session and its mark."""
    deadline = time.monotonic() + LEFTOVER_SETTLE
    while True:
        alive = sorted(set(session_members(session)) | set(marked_processes(RUN_MARK, mark)))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.01)  # polling with a deadline: a dying process offers nothing to wait on

"""Resource guard: what a check leaves behind, found and cleaned up.

Before each check the plugin takes a :class:`Snapshot` of the process's open
descriptors, live threads and child processes; afterwards :func:`find_leaks`
compares, gives threads and children a short deadline to finish, and
:func:`clean_up` closes or kills what is left, so one misbehaving target
cannot disturb the next check.  Works without pytest.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol, cast

from .harness import child_processes, describe_fd, open_descriptors, unresponsive_threads

__all__ = [
    "Leaks",
    "Snapshot",
    "clean_up",
    "find_leaks",
    "take_snapshot",
]


@dataclass(frozen=True)
class Snapshot:
    """What the process held before a check."""

    fds: frozenset[int]
    threads: frozenset[threading.Thread]
    children: frozenset[int]


def take_snapshot() -> Snapshot:
    """Record the open descriptors, live threads and children of this process now."""
    return Snapshot(open_descriptors(), frozenset(threading.enumerate()), child_processes())


@dataclass
class Leaks:
    """What a check left behind."""

    fds: dict[int, str] = field(default_factory=dict[int, str])
    threads: list[threading.Thread] = field(default_factory=list[threading.Thread])
    children: list[int] = field(default_factory=list[int])

    def __bool__(self) -> bool:
        return bool(self.fds or self.threads or self.children)

    def describe(self) -> str:
        """One line naming every leaked resource."""
        parts: list[str] = []
        if self.fds:
            shown = ", ".join(f"{fd} ({kind})" for fd, kind in sorted(self.fds.items()))
            parts.append(f"{len(self.fds)} descriptor(s) left open: {shown}")
        if self.threads:
            names = ", ".join(thread.name for thread in self.threads)
            parts.append(f"{len(self.threads)} thread(s) still running: {names}")
        if self.children:
            pids = ", ".join(str(pid) for pid in self.children)
            parts.append(f"{len(self.children)} child process(es) not reaped: {pids}")
        return "; ".join(parts)


class _Owner(Protocol):
    def fileno(self) -> int: ...
    def close(self) -> None: ...


def _owners(fds: set[int]) -> list[_Owner]:
    """Live socket, file and selector objects that own one of ``fds``."""
    found: list[_Owner] = []
    for obj in gc.get_objects():
        if isinstance(obj, (socket.socket, io.FileIO)) or type(obj).__name__ in _SELECTOR_TYPES:
            owner = cast("_Owner", obj)
            try:
                if owner.fileno() in fds:
                    found.append(owner)
            except (OSError, ValueError):
                continue
    return found


_SELECTOR_TYPES = frozenset({"epoll", "devpoll", "kqueue"})


def find_leaks(before: Snapshot, grace: float = 1.0) -> Leaks:
    """Resources opened since ``before`` that are still held, after up to ``grace`` seconds."""
    deadline = time.monotonic() + grace
    # The harness's threads stuck in the target after a hang the check reported.
    stuck = unresponsive_threads()
    new_threads = [
        t
        for t in threading.enumerate()
        if t not in before.threads and t is not threading.current_thread() and t not in stuck
    ]
    for thread in new_threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    leaks = Leaks(threads=[t for t in new_threads if t.is_alive()])
    while True:
        children = sorted(child_processes() - before.children)
        if not children or time.monotonic() >= deadline:
            break
        time.sleep(0.01)  # polling /proc: children give no event to wait on
    leaks.children = children
    new_fds = open_descriptors() - before.fds
    if new_fds:
        # Unreachable sockets in reference cycles are closed by the collector, not leaked
        # (collected only here: a full collection after every check would dominate the run).
        gc.collect()
        new_fds = open_descriptors() - before.fds
    leaks.fds = {fd: describe_fd(fd) for fd in sorted(new_fds)}
    return leaks


def clean_up(leaks: Leaks) -> None:
    """Close leaked descriptors and kill leaked children; threads can only be reported."""
    remaining = set(leaks.fds)
    # Close through the owning objects, so that their later finalisation cannot close a
    # reused descriptor number; a socket is detached because makefile() objects may
    # still hold it open.
    for owner in _owners(remaining):
        if isinstance(owner, socket.socket):
            fd = owner.detach()
            remaining.discard(fd)
            _close_fd(fd)
        else:
            remaining.discard(owner.fileno())
            owner.close()
    for fd in sorted(remaining):
        _close_fd(fd)
    for pid in leaks.children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            continue


def _close_fd(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        return

"""Waiting with deadlines: polling, calls in a background thread, reaping children."""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Generator
from typing import Optional

__all__ = [
    "FORK_WARNING",
    "HARNESS_THREAD_PREFIX",
    "BackgroundCall",
    "accepts_keyword",
    "mark_stuck_harness_threads",
    "mark_unresponsive",
    "quiet_fork_warnings",
    "reap",
    "unresponsive_threads",
    "wait_until",
]

FORK_WARNING = r".*multi-threaded, use of fork\(\) may lead to deadlocks.*"

# Threads of the harness stuck in the target (a shutdown() that never returned, the
# serve_forever() it could not stop).  The check that saw it reported the hang; the
# resource guard does not charge these threads again as the server's leak.
#: The harness names every thread it starts so (``sockspec-serve_forever``, ...).
HARNESS_THREAD_PREFIX = "sockspec-"
_UNRESPONSIVE: weakref.WeakSet[threading.Thread] = weakref.WeakSet()


def mark_unresponsive(*threads: threading.Thread) -> None:
    """Note harness threads stuck in the target, whose hang has been reported."""
    _UNRESPONSIVE.update(thread for thread in threads if thread.is_alive())


def mark_stuck_harness_threads(before: object) -> None:
    """After a check that hung: its harness threads still running are stuck in the target.

    ``before`` is anything with a ``threads`` collection (the guard's snapshot); only
    threads started since, and named by the harness (``sockspec-...``), are marked.
    """
    existing: frozenset[threading.Thread] = frozenset(getattr(before, "threads", ()))
    mark_unresponsive(
        *(
            thread
            for thread in threading.enumerate()
            if thread not in existing and thread.name.startswith(HARNESS_THREAD_PREFIX)
        )
    )


def unresponsive_threads() -> frozenset[threading.Thread]:
    """The harness threads still stuck in a target after a reported hang."""
    return frozenset(thread for thread in _UNRESPONSIVE if thread.is_alive())


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.002) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return its last value.

    Use an event or :meth:`Recorder.wait_for` when one exists; this is for state
    that offers nothing to wait on (a thread ending, a child becoming reapable).
    """
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return predicate()
        time.sleep(min(interval, remaining))
        interval = min(interval * 2, 0.05)


class BackgroundCall:
    """Run ``function(*args)`` in a daemon thread so a check can wait for it with a deadline."""

    def __init__(self, function: Callable[..., object], *args: object, name: str = "") -> None:
        self.result: object = None
        self.error: Optional[BaseException] = None
        self.finished = threading.Event()
        self._function = function
        self._args = args
        self.thread = threading.Thread(
            target=self._run, name=name or f"sockspec-call-{function.__name__}", daemon=True
        )
        with quiet_fork_warnings():
            self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._function(*self._args)
        except BaseException as error:
            self.error = error
        finally:
            self.finished.set()

    def wait(self, timeout: float) -> bool:
        """True once the call has returned or raised; False if still running at the deadline."""
        if not self.finished.wait(timeout):
            return False
        self.thread.join(timeout)
        return True


def reap(pid: int, deadline: float) -> None:
    """Wait for child ``pid`` until ``deadline``; kill it if it is still running then."""
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        if time.monotonic() >= deadline:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            return
        time.sleep(0.005)


def accepts_keyword(function: Callable[..., object], name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


@contextlib.contextmanager
def quiet_fork_warnings() -> Generator[None, None, None]:
    """Silence Python 3.12+'s warning that fork() runs in a multi-threaded process."""
    # Forking servers driven from a serving thread do exactly that, on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=FORK_WARNING, category=DeprecationWarning)
        yield

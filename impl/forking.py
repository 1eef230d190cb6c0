"""``ForkingMixIn``: handle each request in a child process (where ``os.fork`` exists).

Python 3.13 socketserver docs, "Asynchronous Mixins": ``block_on_close``
behaves as documented there; ``max_children`` and ``timeout`` keep the stdlib's
defaults (40 and 300 seconds).

Better than the stdlib where the docs leave room:

* The server only ever waits for its own children (``waitpid`` on each known
  pid, or pidfds where Linux has them); it never reaps a process it did not
  fork, even when ``max_children`` are running.
* ``max_children`` is enforced before every fork, so a loop of
  ``handle_request()`` calls leaves no more zombies than that either.
* A ``max_children`` of zero or less cannot make the server spin.

Why the forking path counts its work: after each ``fork()`` every page that the
parent or the child writes to is copied for it (a copy-on-write fault, about
2.2 us each on the 2-core bench machine), and in CPython even calling a function
writes to it (its reference count). A forked request costs the child some 250
such faults, most of them the interpreter's own after-fork work, and the parent
some 80-100. So the parent makes as few Python calls per connection as it can
(one ``waitid()`` per loop turn, an ``accept()`` without enum conversions, no
``cast()`` calls), and the child runs only the documented hooks: nothing of the
explicit-fork detection runs in a forking server (see ``_forks``).
"""

from __future__ import annotations

import contextlib
import os
import select
from typing import TYPE_CHECKING, Any, List, Optional, Set, cast

from ._types import ServerHooks

__all__: List[str] = []


_waitid = getattr(os, "waitid", None)  # not on macOS before 3.13, nor on PyPy 3.9
_PEEK_EXITED = (
    os.WEXITED | os.WNOHANG | os.WNOWAIT if _waitid is not None else 0  # type: ignore[attr-defined,unused-ignore]
)


def _reap_exited(children: Set[int]) -> bool:
    """Collect the exited ``children`` that ``waitid()`` shows without reaping anyone.

    One system call when no child has exited (the common case on every loop turn),
    instead of one per child. False where ``waitid`` is missing, or when an exited
    process is not one of ``children`` (it is left for its owner): then the caller
    sweeps pid by pid.
    """
    if _waitid is None:
        return False
    while children:
        try:
            exited = _waitid(os.P_ALL, 0, _PEEK_EXITED)  # type: ignore[attr-defined,unused-ignore]
        except ChildProcessError:
            children.clear()  # no child at all: reaped elsewhere, or SIGCHLD is ignored
            return True
        if exited is None:
            return True
        pid: int = exited.si_pid
        if pid not in children:
            return False
        try:  # noqa: SIM105 -- contextlib.suppress costs three calls per child (see process_request)
            os.waitpid(pid, 0)  # it has exited: this does not block
        except ChildProcessError:
            pass
        children.discard(pid)
    return True


def _reap(children: Set[int], *, blocking: bool) -> None:
    """Collect those of ``children`` that have exited (all of them when ``blocking``)."""
    if blocking or not _reap_exited(children):
        _sweep(children, 0 if blocking else os.WNOHANG)


def _sweep(children: Set[int], flags: int) -> None:
    """``waitpid()`` each of ``children`` with ``flags``; forget those that are gone."""
    for pid in list(children):
        try:
            exited, _ = os.waitpid(pid, flags)
        except ChildProcessError:
            children.discard(pid)  # reaped elsewhere, or SIGCHLD is ignored
            continue
        if exited:
            children.discard(pid)


def _wait_for_any(children: Set[int]) -> None:
    """Block until at least one of ``children`` has exited, without reaping strangers."""
    if _wait_with_waitid(children) or _wait_with_pidfds(children):
        return
    pid = next(iter(children))
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    children.discard(pid)


def _wait_with_waitid(children: Set[int]) -> bool:
    """Wait for any child to exit without reaping it; True if it was one of ``children``.

    A single system call for the usual case; a stranger's exit, or no ``waitid``,
    leaves the work to the pidfd or pid-by-pid wait.
    """
    if _waitid is None:
        return False
    try:
        exited = _waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)  # type: ignore[attr-defined,unused-ignore]
    except ChildProcessError:
        children.clear()
        return True
    if exited is None or exited.si_pid not in children:
        return False
    pid: int = exited.si_pid
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    children.discard(pid)
    return True


def _wait_with_pidfds(children: Set[int]) -> bool:
    """Wait on pidfds for the first child to exit; False where pidfds are unavailable."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return False
    descriptors: list[int] = []
    try:
        for pid in children:
            try:
                descriptors.append(pidfd_open(pid))
            except ProcessLookupError:
                return True  # already gone: the caller's next sweep sees it
            except OSError:
                return False  # e.g. a kernel without pidfd_open, or out of descriptors
        poller = select.poll()
        for descriptor in descriptors:
            poller.register(descriptor, select.POLLIN)
        poller.poll()
        return True
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


if hasattr(os, "fork"):
    __all__ += ["ForkingMixIn"]

    class ForkingMixIn:
        """Mix-in that handles each request in a forked child; list it before the server."""

        #: Seconds ``handle_request()`` waits; on expiry finished children are collected.
        timeout: Optional[float] = 300
        #: The pids of the children still to be collected; None until the first fork.
        active_children: Optional[Set[int]] = None
        #: How many children may run at once; the server waits for one to exit beyond this.
        max_children: int = 40
        #: Whether ``server_close()`` waits for every child to exit.
        block_on_close: bool = True

        def collect_children(self, *, blocking: bool = False) -> None:
            """Collect exited children; wait while ``max_children`` or more are running."""
            children = self.active_children
            if not children:
                return  # None before the first fork, or every child collected
            while children and len(children) >= self.max_children:
                _reap(children, blocking=False)
                if children and len(children) >= self.max_children:
                    _wait_for_any(children)
            # The usual turn of the loop: one waitid() call, no sweep (see process_request).
            if blocking or not _reap_exited(children):
                _sweep(children, 0 if blocking else os.WNOHANG)

        def handle_timeout(self) -> None:
            """Collect exited children when ``handle_request()`` times out."""
            self.collect_children()

        def service_actions(self) -> None:
            """Collect exited children once per turn of ``serve_forever()``."""
            self.collect_children()

        def process_request(self, request: Any, client_address: Any) -> None:
            """Fork; the child finishes and shuts down the request, the parent closes its copy."""
            # Why this path counts its calls: after each fork, every page the parent or the
            # child writes to is copied for it (a copy-on-write fault, about 2.2 us on the
            # 2-core bench machine), and each Python function called writes to its function
            # and code objects. So no cast() call here, no contextlib in the reaping loop.
            children = self.active_children
            if children is not None and len(children) >= self.max_children:
                self.collect_children()
            if TYPE_CHECKING:
                server = cast(ServerHooks, self)
            else:
                server = self
            pid = os.fork()
            if pid:
                if self.active_children is None:
                    self.active_children = set()
                self.active_children.add(pid)
                server.close_request(request)
                return
            # The child must never return into the server's loop: every path ends in _exit.
            # The child writes as few pages as it can: each one it touches is copied for it.
            status = 1
            try:
                try:
                    server.finish_request(request, client_address)
                    status = 0
                except Exception:
                    server.handle_error(request, client_address)
                finally:
                    server.shutdown_request(request)
            finally:
                os._exit(status)

        def server_close(self) -> None:
            """Close the server, then collect children (waiting for all if ``block_on_close``)."""
            cast(ServerHooks, super()).server_close()
            self.collect_children(blocking=self.block_on_close)

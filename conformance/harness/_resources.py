"""The harness's resources and choices: temp directory, pipes, recorders, what to build.

:class:`HarnessBase` holds what a :class:`~sockspec.conformance.harness.Harness`
owns (closed when it closes) and decides, from the target's traits, which
address family, transport, server and handler bases a check's servers use.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import tempfile
import threading
import warnings
from collections.abc import Callable
from typing import Any, Optional

from ._base import DEFAULT_TIMEOUT, Address, HarnessError, TargetLike
from ._hangs import KnownHangs, StepHang
from ._output import OutputCapture
from ._recorder import Recorder
from ._spies import ReplyHandler
from ._waiting import wait_until

__all__ = ["HarnessBase"]


def _family_for(traits: frozenset[str]) -> int:
    if "unix" in traits:
        return int(socket.AF_UNIX)
    if "inet6" in traits:
        return int(socket.AF_INET6)
    return int(socket.AF_INET)


def _is_datagram(kind: str, traits: frozenset[str]) -> bool:
    if kind == "handler":
        return "datagram-handler" in traits
    return "datagram" in traits


def _short_temp_root() -> Optional[str]:
    # The default temp dir can be long (e.g. on macOS); /tmp keeps AF_UNIX paths short.
    root = tempfile.gettempdir()
    if len(root) > 40 and os.path.isdir("/tmp"):
        return "/tmp"
    return None


class HarnessBase:
    """What a harness owns and what it builds from; see :class:`Harness` for the rest."""

    def __init__(self, target: TargetLike, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = target
        self.timeout = timeout
        self.traits = target.traits
        self._directory: Optional[str] = None
        self._sockets: list[socket.socket] = []
        self._descriptors: list[int] = []
        self._serving: list[tuple[Any, threading.Thread]] = []
        self._transport: Optional[str] = None
        self._warnings: Optional[warnings.catch_warnings[None]] = None
        self._servers: list[Any] = []
        self._recorders: list[Recorder] = []
        self._threads_before: set[threading.Thread] = set()
        self._client_count = 0
        #: True once the harness ran a server's request loop (handle_request, serve_forever).
        self.served = False
        #: id() of servers whose shutdown() or serve_forever() did not stop in time.
        self._hung: set[int] = set()
        #: Set when closing the harness found a ``server_close()`` that did not return in
        #: time (the check itself passed: the hang is the target's, counted by the hang stop).
        self.close_hang: Optional[str] = None
        #: The steps that already hung on this target (the plugin shares one per target;
        #: a harness on its own starts with none) and the check this harness runs.
        self.known_hangs = KnownHangs()
        self.check_name = ""
        #: Why servers were abandoned without waiting for them to stop or close.
        self.abandoned: list[str] = []
        #: id() of servers whose server_close() did not return (not called again).
        self._close_hung: set[int] = set()
        #: Steps known to hang that a check reached and was given up on (its verdict is
        #: then blocked by the step's clause, whatever it asserted after).
        self.step_hangs: list[StepHang] = []
        #: id() of servers the harness ran serve_forever() on.
        self._looped: set[int] = set()

    @property
    def grace(self) -> float:
        """A short wait for something that must NOT happen (passing checks pay it)."""
        return min(0.2, self.timeout / 4)

    def wait_until(self, predicate: Callable[[], bool]) -> bool:
        """:func:`wait_until` with the harness timeout."""
        return wait_until(predicate, self.timeout)

    # -- resources the harness owns ------------------------------------------

    @property
    def directory(self) -> str:
        """A private temporary directory with a short path (AF_UNIX paths are short)."""
        if self._directory is None:
            self._directory = tempfile.mkdtemp(prefix="ss-", dir=_short_temp_root())
        return self._directory

    def capture_output(self) -> OutputCapture:
        """Capture ``sys.stdout`` and ``sys.stderr`` (threads and forked children too)."""
        return OutputCapture(tempfile.mkdtemp(prefix="out-", dir=self.directory))

    def recorder(self) -> Recorder:
        """A new :class:`Recorder`, closed when the harness closes."""
        recorder = Recorder()
        self._recorders.append(recorder)
        return recorder

    def pipe(self) -> tuple[int, int]:
        """An ``os.pipe()`` whose two descriptors are closed when the harness closes."""
        read_fd, write_fd = os.pipe()
        self._descriptors.extend((read_fd, write_fd))
        return read_fd, write_fd

    def release_pipe(self) -> tuple[int, Callable[[], None]]:
        """A descriptor handlers can wait on, and the function that releases them all.

        Pass the descriptor as ``hold_fd`` to :meth:`reply_handler`; once
        released it stays readable, so later handlers do not wait either.
        """
        read_fd, write_fd = self.pipe()

        def release() -> None:
            with contextlib.suppress(OSError):
                os.write(write_fd, b"!")

        return read_fd, release

    def track(self, sock: socket.socket) -> socket.socket:
        """Close ``sock`` when the harness closes."""
        self._sockets.append(sock)
        return sock

    # -- what to build -------------------------------------------------------

    @property
    def family(self) -> int:
        """The address family the target's traits call for."""
        return _family_for(self.traits)

    @property
    def datagram(self) -> bool:
        """True when requests are datagrams (see :meth:`use_transport` for handler targets)."""
        if self._transport is not None:
            return self._transport == "datagram"
        return _is_datagram(self.target.kind, self.traits)

    def use_transport(self, transport: str) -> None:
        """Run a handler target under a ``"stream"`` or ``"datagram"`` stdlib server.

        A plain handler (neither stream- nor datagram-specific) can serve both;
        a check about one kind of request says which.  Call before building.
        """
        if transport not in ("stream", "datagram"):
            raise HarnessError(f"unknown transport {transport!r}")
        if self.target.kind == "handler":
            self._transport = transport

    def server_base(self) -> Any:
        """The server class to instantiate: the target, or a stdlib server for a handler."""
        if self.target.kind == "server":
            return self.target.obj
        return socketserver.UDPServer if self.datagram else socketserver.TCPServer

    def handler_base(self) -> Any:
        """The handler base: the target for handler targets, else ``BaseRequestHandler``."""
        if self.target.kind == "handler":
            return self.target.obj
        return socketserver.BaseRequestHandler

    def io_handler_base(self) -> Any:
        """A handler base with rfile/wfile: the target, or the stdlib one for the requests."""
        if self.target.kind == "handler":
            return self.target.obj
        if self.datagram:
            return socketserver.DatagramRequestHandler
        return socketserver.StreamRequestHandler

    def bind_address(self) -> Address:
        """A fresh safe address for the target's family: loopback port 0 or a new path."""
        family = self.family
        if family == socket.AF_UNIX:
            self._client_count += 1
            return os.path.join(self.directory, f"s{self._client_count}")
        if family == socket.AF_INET6:
            return ("::1", 0)
        return ("127.0.0.1", 0)

    def reply_handler(
        self,
        recorder: Optional[Recorder] = None,
        *,
        fail: bool = False,
        barrier: Optional[threading.Barrier] = None,
        gate: Optional[threading.Event] = None,
        hold_fd: Optional[int] = None,
    ) -> type:
        """A :class:`ReplyHandler` subclass wired to ``recorder`` (for server targets)."""
        attrs: dict[str, object] = {
            "recorder": recorder,
            "fail": fail,
            "barrier": barrier,
            "gate": gate,
            "hold_fd": hold_fd,
            "io_timeout": self.timeout,
        }
        return type("CheckReplyHandler", (ReplyHandler,), attrs)

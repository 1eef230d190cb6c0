"""Spies: the reply handler checks serve with, and subclasses that record hook calls."""

from __future__ import annotations

import contextlib
import os
import select
import socket
import socketserver
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Optional, cast

from ._base import DEFAULT_TIMEOUT
from ._recorder import Recorder

__all__ = [
    "DeliberateFailure",
    "DeliberateInterrupt",
    "ReplyHandler",
    "make_recording_class",
    "quiet_handle_error",
]


class ReplyHandler(socketserver.BaseRequestHandler):
    """A handler that records its call and answers ``reply:<payload>`` to its client.

    Works for stream requests (a socket: reads one line or up to EOF) and for
    datagram requests (a ``(data, socket)`` pair: answers with ``sendto``).
    Class attributes configure it; the harness sets them on a fresh subclass.
    """

    recorder: ClassVar[Optional[Recorder]] = None
    #: Raise :class:`DeliberateFailure` from ``handle`` (after replying) for payloads
    #: starting with ``b"fail"``.
    fail: ClassVar[bool] = False
    #: Wait on this barrier (threads only) before replying.
    barrier: ClassVar[Optional[threading.Barrier]] = None
    #: Wait for this event (threads only) before replying.
    gate: ClassVar[Optional[threading.Event]] = None
    #: Wait until this descriptor is readable (works in forked children) before replying;
    #: see :meth:`Harness.release_pipe`.
    hold_fd: ClassVar[Optional[int]] = None
    io_timeout: ClassVar[float] = DEFAULT_TIMEOUT

    def _record(self, name: str, *values: object) -> None:
        if self.recorder is not None:
            self.recorder.record(name, *values)

    def setup(self) -> None:
        self._record("setup", self.client_address, id(self.request), id(self.server))

    def handle(self) -> None:
        request: object = self.request
        connection: Optional[socket.socket] = None
        reply_socket: Optional[socket.socket] = None
        if isinstance(request, socket.socket):
            connection = request
            payload = self._read_stream(request)
        else:
            packet, reply_socket = cast("tuple[bytes, socket.socket]", request)
            payload = bytes(packet)
        self._record("handle", self.client_address, payload, threading.get_ident())
        if self.barrier is not None:
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                self._record("barrier-broken")
                return
            self._record("barrier-passed")
        if self.gate is not None and not self.gate.wait(self.io_timeout):
            self._record("gate-timeout")
        if self.hold_fd is not None:
            readable, _, _ = select.select([self.hold_fd], [], [], self.io_timeout)
            self._record("held" if readable else "hold-timeout")
        reply = b"reply:" + payload + b":" + str(os.getpid()).encode()
        if connection is not None:
            connection.sendall(reply)
        elif reply_socket is not None:
            reply_socket.sendto(reply, self.client_address)
        self._record("replied")
        if self.fail and payload.startswith(b"fail"):
            raise DeliberateFailure("deliberate failure raised by the check's handler")

    def finish(self) -> None:
        self._record("finish")

    def _read_stream(self, connection: socket.socket) -> bytes:
        connection.settimeout(self.io_timeout)
        data = b""
        with contextlib.suppress(OSError):
            while not data.endswith(b"\n"):
                chunk = connection.recv(4096)
                if not chunk:
                    break
                data += chunk
        return data


class DeliberateFailure(Exception):
    """Raised on purpose by check handlers to exercise error handling."""


class DeliberateInterrupt(BaseException):
    """A non-``Exception`` error raised on purpose (stands in for ``KeyboardInterrupt``)."""


def make_recording_class(
    base: type,
    *,
    name: Optional[str] = None,
    attrs: Optional[Mapping[str, object]] = None,
    record: Sequence[str] = (),
    recorder: Optional[Recorder] = None,
) -> type:
    """Subclass ``base`` with class attributes ``attrs`` and recording wrappers.

    Each method named in ``record`` is wrapped: the wrapper records an event
    ``(method name, arguments...)`` and then calls ``base``'s method, so the
    target's own behaviour still runs.  A value in ``attrs`` may be a function,
    which then replaces the method outright.
    """
    namespace: dict[str, object] = dict(attrs or {})
    for method_name in record:
        if method_name in namespace:
            continue
        namespace[method_name] = _recording_wrapper(base, method_name, recorder)
    return type(name or f"Checked{base.__name__}", (base,), namespace)


def _recording_wrapper(
    base: type, method_name: str, recorder: Optional[Recorder]
) -> Callable[..., Any]:
    original: Callable[..., Any] = getattr(base, method_name)

    def wrapper(self: object, *args: object, **kwargs: object) -> Any:
        if recorder is not None:
            recorder.record(method_name, *args)
        try:
            result = original(self, *args, **kwargs)
        except BaseException as error:
            if recorder is not None:
                recorder.record(method_name + ":raised", type(error).__name__)
            raise
        if recorder is not None:
            recorder.record(method_name + ":returned", _describe_result(result))
        return result

    wrapper.__name__ = method_name
    return wrapper


def _describe_result(result: object) -> object:
    # Sockets and other resources are recorded by type only; plain data as is.
    if isinstance(result, tuple):
        return ["tuple", *(type(item).__name__ for item in result)]  # pyright: ignore[reportUnknownArgumentType,reportUnknownVariableType]
    if result is None or isinstance(result, (bool, int, str)):
        return result
    return type(result).__name__


def quiet_handle_error(recorder: Optional[Recorder]) -> Callable[..., None]:
    def handle_error(self: object, request: object, client_address: object) -> None:
        if recorder is not None:
            recorder.record("handle_error", client_address)

    return handle_error

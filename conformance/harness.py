"""Plain helpers the conformance checks use to drive a server or handler under test.

Nothing here depends on pytest: a :class:`Harness` is a context manager that
builds servers of the target class on safe addresses (``127.0.0.1`` or ``::1``
port 0, or a short path in a private temporary directory), runs them, talks to
them as a client, records which hooks ran, and on exit closes every socket,
server, thread, child process and directory it caused to exist.  Every wait has
a deadline; a server that does not stop in time is reported with
:class:`HangError`, an ``AssertionError`` so that the check fails instead of
erroring.

Hook calls are recorded through a pipe (:class:`Recorder`), so calls made in a
handler thread or in a forked child process arrive in the check's process too.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import select
import shutil
import signal
import socket
import socketserver
import struct
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any, ClassVar, NamedTuple, Optional, Protocol, Union, cast

__all__ = [
    "DEFAULT_TIMEOUT",
    "BackgroundCall",
    "DeliberateFailure",
    "DeliberateInterrupt",
    "Event",
    "HangError",
    "Harness",
    "HarnessError",
    "Recorder",
    "ReplyHandler",
    "TargetLike",
    "as_recorded",
    "child_state",
    "ipv6_available",
    "is_listening",
    "listen_backlog",
    "recv_until_eof",
    "state_of",
    "wait_until",
]

#: Seconds any single wait may take when the caller does not say otherwise.
DEFAULT_TIMEOUT = 5.0
#: How often ``serve_forever`` polls for ``shutdown`` in the harness (keeps stopping quick).
POLL_INTERVAL = 0.02
# Records are written with one os.write each; below PIPE_BUF they never interleave.
_MAX_RECORD = 3000

Address = Union[tuple[Any, ...], str, bytes]


class TargetLike(Protocol):
    """What the harness needs to know about a target (the engine's ``Target`` has it)."""

    @property
    def spec(self) -> str: ...
    @property
    def obj(self) -> type: ...
    @property
    def kind(self) -> str: ...
    @property
    def traits(self) -> frozenset[str]: ...


class HarnessError(Exception):
    """The target cannot be driven the way a check needs (e.g. an unusual constructor)."""


class HangError(AssertionError):
    """Something the target should have done within the deadline did not happen."""


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


def ipv6_available() -> bool:
    """True when a socket can be bound to the IPv6 loopback address ``::1``."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def recv_until_eof(sock: socket.socket, timeout: float) -> bytes:
    """Read from a stream socket until the peer closes; :class:`HangError` at the deadline."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise HangError(
                f"expected the server to close the connection within {timeout:g} s; "
                f"observed no EOF (received {b''.join(chunks)[:80]!r} so far)"
            )
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            # A reset is the peer closing too (the server closed with data unread).
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _plain(value: object, depth: int = 0) -> object:
    """A JSON-safe form of ``value``: tuples become lists, bytes become latin-1 text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return value.decode("latin-1")
    described: object = value
    if isinstance(value, (tuple, list)) and depth < 3:
        items = cast("Sequence[object]", value)
        return [_plain(item, depth + 1) for item in items]
    return repr(described)


def state_of(instance: object) -> dict[str, object]:
    """A shallow copy of ``instance``'s attributes, to show that a call changed nothing."""
    return dict(cast("dict[str, object]", vars(instance)))


def as_recorded(value: object) -> object:
    """``value`` in the form a :class:`Recorder` stores it, for comparisons with events."""
    return _plain(value)


class Event(NamedTuple):
    """One recorded event: a name and its JSON-safe values (see :meth:`Recorder.record`)."""

    name: str
    values: tuple[object, ...]
    pid: int


class Recorder:
    """An append-only event log that works across threads and forked children.

    Events travel through a pipe, so a handler running in a child process after
    ``fork`` records into the same log as the check.  Values are stored in a
    JSON-safe form: tuples become lists, bytes become latin-1 text and other
    objects their ``repr``.
    """

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self._pending = b""
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self.closed = False

    def record(self, name: str, *values: object) -> None:
        """Append an event; safe to call from any thread or forked child."""
        line = json.dumps([name, [_plain(value) for value in values], os.getpid()])
        data = line.encode("utf-8")
        if len(data) > _MAX_RECORD:
            data = json.dumps([name, ["<truncated>"], os.getpid()]).encode("utf-8")
        with contextlib.suppress(OSError):
            os.write(self._write_fd, data + b"\n")

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self._read_fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            self._pending += chunk
            *lines, self._pending = self._pending.split(b"\n")
            for line in lines:
                name, values, pid = json.loads(line.decode("utf-8"))
                self._events.append(Event(str(name), tuple(values), int(pid)))

    @property
    def events(self) -> list[Event]:
        """Every event recorded so far, in the order they were written."""
        with self._lock:
            self._drain()
            return list(self._events)

    def names(self) -> list[str]:
        """The names of the events recorded so far, in order."""
        return [event.name for event in self.events]

    def named(self, name: str) -> list[Event]:
        """The events called ``name``, in order."""
        return [event for event in self.events if event.name == name]

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float) -> bool:
        """Wait until ``predicate(events)`` holds or ``timeout`` passes; return the outcome."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate(self.events):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            select.select([self._read_fd], [], [], remaining)

    def wait_count(self, name: str, count: int, timeout: float) -> list[Event]:
        """Wait for ``count`` events called ``name``; return those that arrived."""
        self.wait_for(lambda events: sum(e.name == name for e in events) >= count, timeout)
        return self.named(name)

    def close(self) -> None:
        """Close both ends of the pipe (idempotent)."""
        if not self.closed:
            self.closed = True
            os.close(self._read_fd)
            os.close(self._write_fd)


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


class Harness:
    """Builds, runs and talks to servers of one target; cleans up everything on exit.

    ``Harness(target, timeout)`` is used as a context manager.  For a handler
    target, servers are the standard library's ``TCPServer`` or ``UDPServer``
    (by the handler's traits) and ``target.obj`` is the handler base.
    """

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

    # -- lifetime -----------------------------------------------------------

    def __enter__(self) -> Harness:
        self._threads_before = set(threading.enumerate())
        # The harness's own threads (serve_forever, clients) make forking targets fork
        # in a multi-threaded process on purpose; Python 3.12+ would warn each time.
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.filterwarnings("ignore", message=_FORK_WARNING, category=DeprecationWarning)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close clients and servers, wait for threads and children, remove the temp dir."""
        for server, thread in self._serving:
            if thread.is_alive():
                self.stop(server, thread)
        self._serving.clear()
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()
        for server in self._servers:
            self.close_server(server)
        deadline = time.monotonic() + self.timeout
        for thread in set(threading.enumerate()) - self._threads_before:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))
        for server in self._servers:
            self._reap_children(server, deadline)
        self._servers.clear()
        for recorder in self._recorders:
            self._reap_recorded_children(recorder, deadline)
            recorder.close()
        self._recorders.clear()
        for descriptor in self._descriptors:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._descriptors.clear()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None
        if self._warnings is not None:
            self._warnings.__exit__(None, None, None)
            self._warnings = None

    def close_server(self, server: Any) -> None:
        """Call ``server_close`` (again: the stdlib's is idempotent) and drop the socket.

        The call runs with a deadline so that a ``server_close`` that blocks on
        a hung request cannot hang the run; a listening socket the server left
        open is closed here so one bad check does not leak into the next.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            BackgroundCall(server.server_close, name="sockspec-server_close").wait(self.timeout)
        listening: object = getattr(server, "socket", None)
        if isinstance(listening, socket.socket):
            listening.close()

    def _reap_children(self, server: Any, deadline: float) -> None:
        children: object = getattr(server, "active_children", None)
        if isinstance(children, (set, list, tuple, frozenset)):
            for pid in list(children):  # pyright: ignore[reportUnknownArgumentType,reportUnknownVariableType]
                if isinstance(pid, int):
                    _reap(pid, deadline)

    def _reap_recorded_children(self, recorder: Recorder, deadline: float) -> None:
        if recorder.closed:
            return
        own = os.getpid()
        for pid in {event.pid for event in recorder.events if event.pid != own}:
            _reap(pid, deadline)

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

    def make_server(
        self,
        handler: Optional[type] = None,
        *,
        bind_and_activate: bool = True,
        attrs: Optional[Mapping[str, object]] = None,
        record: Sequence[str] = (),
        recorder: Optional[Recorder] = None,
        base: Optional[type] = None,
        address: Optional[Address] = None,
    ) -> Any:
        """Instantiate a subclass of the server class bound to a safe address.

        ``attrs`` become class attributes of the subclass (functions replace
        methods); methods named in ``record`` are wrapped to record their calls
        into ``recorder``.  ``timeout`` defaults to the harness timeout so that
        ``handle_request`` can never block for long.  The server is closed when
        the harness closes.
        """
        server_base = base or self.server_base()
        class_attrs: dict[str, object] = {"timeout": self.timeout}
        if self.target.kind == "handler":
            # The stdlib server under a handler target reports handler errors quietly.
            class_attrs["handle_error"] = _quiet_handle_error(recorder)
        class_attrs.update(attrs or {})
        server_class = make_recording_class(
            server_base, attrs=class_attrs, record=record, recorder=recorder
        )
        handler_class = handler if handler is not None else self.reply_handler(recorder)
        bind_to = address if address is not None else self.bind_address()
        args, kwargs = _constructor_arguments(server_base, bind_and_activate)
        with warnings.catch_warnings():
            # http.server and friends may warn about deprecated features on import/use.
            warnings.simplefilter("ignore", DeprecationWarning)
            server = server_class(bind_to, handler_class, *args, **kwargs)
        self._servers.append(server)
        return server

    # -- running -------------------------------------------------------------

    @contextlib.contextmanager
    def serving(
        self, server: Any, poll_interval: float = POLL_INTERVAL
    ) -> Generator[threading.Thread, None, None]:
        """Run ``server.serve_forever`` in a daemon thread; on exit ``shutdown`` it in time.

        Raises :class:`HangError` when ``shutdown`` or the serving thread does
        not finish within the harness timeout, and re-raises any exception that
        escaped ``serve_forever``.
        """
        errors: list[BaseException] = []
        started = threading.Event()

        def serve() -> None:
            started.set()
            try:
                if _accepts_keyword(server.serve_forever, "poll_interval"):
                    server.serve_forever(poll_interval=poll_interval)
                else:
                    server.serve_forever()
            except BaseException as error:
                errors.append(error)

        thread = threading.Thread(target=serve, name="sockspec-serve_forever", daemon=True)
        with _quiet_fork_warnings():
            thread.start()
            started.wait(self.timeout)
            failed = False
            try:
                yield thread
            except BaseException:
                failed = True
                raise
            finally:
                problem = self.stop(server, thread)
                if problem and not failed:
                    raise HangError(problem)
        if errors:
            raise AssertionError(
                f"serve_forever raised {type(errors[0]).__name__}: {errors[0]}; "
                "expected it to keep serving until shutdown()"
            ) from errors[0]

    def serve_in_background(self, server: Any) -> BackgroundCall:
        """Start ``serve_forever`` in a thread; the harness shuts it down when it closes."""
        serving = BackgroundCall(server.serve_forever, POLL_INTERVAL, name="sockspec-serve_forever")
        self._serving.append((server, serving.thread))
        return serving

    def stop(self, server: Any, thread: threading.Thread) -> Optional[str]:
        """Call ``shutdown`` (from a helper thread, with a deadline); describe any hang."""
        stopper = threading.Thread(target=server.shutdown, name="sockspec-shutdown", daemon=True)
        stopper.start()
        stopper.join(self.timeout)
        thread.join(self.timeout)
        if stopper.is_alive():
            return f"expected shutdown() to return within {self.timeout:g} s; it was still blocked"
        if thread.is_alive():
            return (
                f"expected serve_forever() to stop within {self.timeout:g} s of shutdown(); "
                "it was still running"
            )
        return None

    def handle_one(self, server: Any) -> object:
        """Call ``server.handle_request()`` once in this thread (fork warnings silenced)."""
        with _quiet_fork_warnings():
            return server.handle_request()

    # -- clients -------------------------------------------------------------

    def client_socket(self) -> socket.socket:
        """A new client socket for the target's family and type (bound first for Unix datagrams)."""
        kind = socket.SOCK_DGRAM if self.datagram else socket.SOCK_STREAM
        sock = self.track(socket.socket(self.family, kind))
        sock.settimeout(self.timeout)
        if self.datagram:
            # Bind datagram clients first: a Unix one needs an address to get replies, and
            # an inet one then knows its own address (an unbound one would say 0.0.0.0).
            self._client_count += 1
            if self.family == socket.AF_UNIX:
                sock.bind(os.path.join(self.directory, f"c{self._client_count}"))
            else:
                sock.bind(("::1" if self.family == socket.AF_INET6 else "127.0.0.1", 0))
        return sock

    def connect(self, server: Any) -> socket.socket:
        """A stream client connected to ``server`` (the server need not accept yet)."""
        sock = self.client_socket()
        sock.connect(server.server_address)
        return sock

    def send(self, server: Any, payload: bytes = b"ping\n", *, end: bool = False) -> socket.socket:
        """Send one request: connect and send for streams, one datagram otherwise.

        With ``end`` a stream client also shuts down its sending side, so the
        handler reads end-of-file after the payload.
        """
        sock = self.client_socket()
        if self.datagram:
            sock.sendto(payload, server.server_address)
        else:
            sock.connect(server.server_address)
            sock.sendall(payload)
            if end:
                sock.shutdown(socket.SHUT_WR)
        return sock

    def reply(self, sock: socket.socket) -> bytes:
        """The server's whole answer: up to EOF for streams, one datagram otherwise."""
        if not self.datagram:
            return recv_until_eof(sock, self.timeout)
        readable, _, _ = select.select([sock], [], [], self.timeout)
        if not readable:
            raise HangError(f"expected a reply datagram within {self.timeout:g} s; none arrived")
        return sock.recv(65536)

    def exchange(
        self,
        server: Any,
        payload: bytes = b"ping\n",
        expect_reply: bool = True,
        *,
        end: bool = False,
    ) -> bytes:
        """Send one request, let ``handle_request`` serve it here, and return the reply.

        With ``expect_reply`` false a datagram request is not waited on (a
        handler may stay silent); a stream request is still read up to EOF.
        """
        sock = self.send(server, payload, end=end)
        self.handle_one(server)
        if self.datagram and not expect_reply:
            return b""
        return self.reply(sock)


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
        with _quiet_fork_warnings():
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


def _quiet_handle_error(recorder: Optional[Recorder]) -> Callable[..., None]:
    def handle_error(self: object, request: object, client_address: object) -> None:
        if recorder is not None:
            recorder.record("handle_error", client_address)

    return handle_error


class Captured(NamedTuple):
    """What a :func:`capture_output` block wrote to standard output and standard error."""

    stdout: str
    stderr: str


class OutputCapture:
    """Redirect ``sys.stdout``/``sys.stderr`` to files; see :meth:`Harness.capture_output`.

    The replacement streams write straight through to their descriptors, so
    output written by a request thread or by a forked child (which leaves with
    ``os._exit`` and never flushes) is captured too.
    """

    def __init__(self, directory: str) -> None:
        self._paths = (os.path.join(directory, "out"), os.path.join(directory, "err"))
        self._streams = [
            io.TextIOWrapper(open(path, "wb", buffering=0), write_through=True)  # noqa: SIM115
            for path in self._paths
        ]
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> OutputCapture:
        self._stack.enter_context(contextlib.redirect_stdout(self._streams[0]))
        self._stack.enter_context(contextlib.redirect_stderr(self._streams[1]))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()
        for stream in self._streams:
            stream.close()

    def read(self) -> Captured:
        """Everything written so far."""
        texts: list[str] = []
        for path in self._paths:
            with open(path, encoding="utf-8", errors="replace") as stream:
                texts.append(stream.read())
        return Captured(texts[0], texts[1])


def is_listening(sock: socket.socket) -> Optional[bool]:
    """Whether ``sock`` is listening (SO_ACCEPTCONN), or None where the OS cannot tell."""
    option = getattr(socket, "SO_ACCEPTCONN", None)
    if option is None:
        return None
    try:
        return bool(sock.getsockopt(socket.SOL_SOCKET, option))
    except OSError:
        return None


def listen_backlog(sock: socket.socket) -> Optional[int]:
    """The backlog a listening TCP socket was given, where the OS reports it (Linux), else None.

    Linux's TCP_INFO for a listening socket carries the maximum accept-queue
    length in its ``tcpi_sacked`` field.
    """
    option = getattr(socket, "TCP_INFO", None)
    if option is None or not sys.platform.startswith("linux"):
        return None
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, option, 104)
    except OSError:
        return None
    if len(info) < 32:
        return None
    state, *_ = struct.unpack_from("B", info)
    if state != _TCP_LISTEN:
        return None
    (backlog,) = struct.unpack_from("I", info, 28)
    return int(backlog)


_TCP_LISTEN = 10


def child_state(pid: int) -> Optional[str]:
    """``"running"``, ``"zombie"`` (exited, not reaped) or ``"gone"``; None where unknown.

    Reads ``/proc`` so that it never reaps the child itself.
    """
    if not os.path.isdir("/proc/self"):
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[-1].split()
    except OSError:
        return "gone"
    if not fields:
        return None
    return "zombie" if fields[0] in ("Z", "X") else "running"


def _reap(pid: int, deadline: float) -> None:
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


def _short_temp_root() -> Optional[str]:
    # The default temp dir can be long (e.g. on macOS); /tmp keeps AF_UNIX paths short.
    root = tempfile.gettempdir()
    if len(root) > 40 and os.path.isdir("/tmp"):
        return "/tmp"
    return None


def _accepts_keyword(function: Callable[..., object], name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def _constructor_arguments(
    server_class: type, bind_and_activate: bool
) -> tuple[tuple[object, ...], dict[str, object]]:
    """Extra constructor arguments beyond (address, handler) that this class needs.

    Handles the stdlib family: ``bind_and_activate`` as a keyword, and
    ``logRequests=False`` for xmlrpc servers so that checks stay quiet.
    """
    try:
        parameters = list(inspect.signature(server_class).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    names = {p.name for p in parameters}
    kwargs: dict[str, object] = {}
    if "bind_and_activate" in names:
        kwargs["bind_and_activate"] = bind_and_activate
    elif not bind_and_activate:
        raise HarnessError(f"{server_class.__qualname__}() takes no bind_and_activate parameter")
    if "logRequests" in names:
        kwargs["logRequests"] = False
    positional = [
        p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    for parameter in positional[2:]:
        if parameter.default is inspect.Parameter.empty and parameter.name not in kwargs:
            raise HarnessError(
                f"{server_class.__qualname__}() needs an argument the harness cannot supply: "
                f"{parameter.name}"
            )
    return (), kwargs


_FORK_WARNING = r".*multi-threaded, use of fork\(\) may lead to deadlocks.*"


@contextlib.contextmanager
def _quiet_fork_warnings() -> Generator[None, None, None]:
    # Python 3.12+ warns when fork() runs in a multi-threaded process; forking
    # servers driven from a serving thread do exactly that, on purpose.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_FORK_WARNING, category=DeprecationWarning)
        yield

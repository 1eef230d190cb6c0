"""Faults give the documented result or a clear error, and nothing leaks.

Each test runs against the stdlib ``socketserver`` and ``sockspec.impl`` and
watches the process's descriptors, threads and children around the fault.
"""

from __future__ import annotations

import errno
import importlib
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Generator
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any, Optional

import pytest

from tests.reliability.processes import watch_leaks

IMPLEMENTATIONS = ("socketserver", "sockspec.impl")
LOOPBACK = "127.0.0.1"
DEADLINE = 10.0
#: Server classes whose clean-up is exercised twice: (class name, needs fork, is unix).
CLOSE_TWICE_KINDS = (
    ("TCPServer", False, False),
    ("UDPServer", False, False),
    ("ThreadingTCPServer", False, False),
    ("ForkingTCPServer", True, False),
    ("UnixStreamServer", False, True),
)


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request: pytest.FixtureRequest) -> ModuleType:
    """The socketserver implementation under test."""
    return importlib.import_module(str(request.param))


@pytest.fixture
def short_dir(tmp_path_factory: pytest.TempPathFactory) -> Generator[Path, None, None]:
    """A private directory with a short path, for AF_UNIX socket files (~107-byte limit)."""
    directory = Path(tempfile.mkdtemp(prefix="ss-"))
    try:
        yield directory
    finally:
        for entry in directory.iterdir():
            entry.unlink()
        directory.rmdir()


def _reply_handler(module: ModuleType) -> Any:
    class ReplyOnce(module.BaseRequestHandler):  # type: ignore[misc,name-defined]
        def handle(self) -> None:
            if isinstance(self.request, socket.socket):
                self.request.sendall(b"ok")
            else:
                data, sock = self.request
                sock.sendto(data, self.client_address)

    return ReplyOnce


def _open_and_close(server_class: Any, address: Any, handler: Any) -> None:
    """Construct a server and close it at once (the tests expect the construction to fail)."""
    server_class(address, handler).server_close()


def _server_class(module: ModuleType, name: str, reuse: bool) -> Any:
    base: Any = getattr(module, name)
    return type(f"Reuse{reuse}{name}", (base,), {"allow_reuse_address": reuse})


@pytest.mark.parametrize("reuse", [False, True], ids=["no-reuse", "reuse"])
def test_binding_a_listening_port_fails_cleanly(implementation: ModuleType, reuse: bool) -> None:
    """Binding a port another server listens on fails with EADDRINUSE, reuse or not."""
    handler = _reply_handler(implementation)
    with watch_leaks(settle=0) as leaks:
        first = _server_class(implementation, "TCPServer", reuse)((LOOPBACK, 0), handler)
        with first:
            second_class = _server_class(implementation, "TCPServer", reuse)
            with pytest.raises(OSError, match=r"(?i)in use") as caught:
                _open_and_close(second_class, first.server_address, handler)
            assert caught.value.errno == errno.EADDRINUSE, caught.value
    assert not leaks, leaks.describe()


def _port_in_time_wait(module: ModuleType) -> int:
    """Serve one request with reuse on, so the closed server's port sits in TIME_WAIT."""
    server = _server_class(module, "TCPServer", True)((LOOPBACK, 0), _reply_handler(module))
    with server:
        port: int = server.server_address[1]
        with socket.create_connection(server.server_address, DEADLINE) as client:
            server.handle_request()
            while client.recv(1024):
                pass
    return port


def test_allow_reuse_address_rebinds_a_port_in_time_wait(implementation: ModuleType) -> None:
    """A port left in TIME_WAIT can be bound again only with allow_reuse_address."""
    handler = _reply_handler(implementation)
    with watch_leaks(settle=0) as leaks:
        port = _port_in_time_wait(implementation)
        strict_class = _server_class(implementation, "TCPServer", False)
        with pytest.raises(OSError, match=r"(?i)in use") as caught:
            _open_and_close(strict_class, (LOOPBACK, port), handler)
        assert caught.value.errno == errno.EADDRINUSE, caught.value
        again = _server_class(implementation, "TCPServer", True)((LOOPBACK, port), handler)
        with again:
            assert again.server_address[1] == port
    assert not leaks, leaks.describe()


def _unix_paths(short_dir: Path) -> dict[str, tuple[str, type[OSError]]]:
    regular_file = short_dir / "file"
    regular_file.write_bytes(b"")
    taken = short_dir / "taken"
    taken.write_bytes(b"")
    return {
        "missing directory": (str(short_dir / "missing" / "sock"), FileNotFoundError),
        "through a file": (str(regular_file / "sock"), NotADirectoryError),
        "path exists": (str(taken), OSError),
        "too long": (str(short_dir / ("x" * 200)), OSError),
    }


@pytest.mark.parametrize("case", ["missing directory", "through a file", "path exists", "too long"])
def test_unusable_unix_socket_path_is_a_clear_error(
    implementation: ModuleType, short_dir: Path, case: str
) -> None:
    """A Unix socket path that cannot be bound raises an OSError naming the problem."""
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("AF_UNIX sockets are not available on this platform")
    path, expected = _unix_paths(short_dir)[case]
    before = sorted(short_dir.iterdir())
    with watch_leaks(settle=0) as leaks:
        with pytest.raises(expected) as caught:
            _open_and_close(implementation.UnixStreamServer, path, _reply_handler(implementation))
        assert str(caught.value)
    assert not leaks, leaks.describe()
    assert sorted(short_dir.iterdir()) == before, "a failed bind left a file behind"


def test_unwritable_directory_is_a_clear_error(implementation: ModuleType, short_dir: Path) -> None:
    """Binding a Unix socket in a directory without write permission raises PermissionError."""
    if os.geteuid() == 0:
        pytest.skip("root may write to any directory, so permissions cannot make one unwritable")
    locked = short_dir / "locked"
    locked.mkdir(mode=0o500)
    try:
        with watch_leaks(settle=0) as leaks, pytest.raises(PermissionError):
            implementation.UnixStreamServer(
                str(locked / "sock"), _reply_handler(implementation)
            ).server_close()
        assert not leaks, leaks.describe()
    finally:
        locked.rmdir()


@pytest.mark.parametrize(
    ("name", "needs_fork", "unix"), CLOSE_TWICE_KINDS, ids=[kind[0] for kind in CLOSE_TWICE_KINDS]
)
def test_server_close_twice_is_harmless(
    implementation: ModuleType, short_dir: Path, name: str, needs_fork: bool, unix: bool
) -> None:
    """Calling server_close a second time raises nothing and leaks nothing."""
    if needs_fork and not hasattr(os, "fork"):
        pytest.skip("ForkingMixIn needs os.fork")
    address: Any = str(short_dir / "sock") if unix else (LOOPBACK, 0)
    with watch_leaks(settle=0) as leaks:
        server = getattr(implementation, name)(address, _reply_handler(implementation))
        server.server_close()
        server.server_close()
    assert not leaks, leaks.describe()


def test_shutdown_before_serve_forever_waits_for_the_loop(implementation: ModuleType) -> None:
    """shutdown() before serve_forever blocks until the loop runs, which then stops at once."""
    with watch_leaks() as leaks:
        server = implementation.TCPServer((LOOPBACK, 0), _reply_handler(implementation))
        with server:
            stopping = threading.Thread(target=server.shutdown, name="early-shutdown")
            stopping.start()
            stopping.join(0.2)
            blocked = stopping.is_alive()
            serving = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="late-serve"
            )
            serving.start()
            serving.join(DEADLINE)
            stopping.join(DEADLINE)
            assert not serving.is_alive(), "serve_forever did not stop for the earlier shutdown()"
            assert not stopping.is_alive(), "shutdown() did not return once the loop had run"
        assert blocked, "shutdown() returned before any serve_forever had run"
    assert not leaks, leaks.describe()


def test_handle_request_after_server_close_is_a_clear_error(implementation: ModuleType) -> None:
    """handle_request on a closed server raises at once instead of waiting or crashing."""
    with watch_leaks(settle=0) as leaks:
        server = implementation.TCPServer((LOOPBACK, 0), _reply_handler(implementation))
        server.timeout = DEADLINE
        server.server_close()
        with pytest.raises((OSError, ValueError)) as caught:
            server.handle_request()
        assert str(caught.value)
    assert not leaks, leaks.describe()


class _Interrupted(Exception):
    """Raised by the test's signal handler to abandon handle_request."""


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@pytest.mark.parametrize("handler_raises", [False, True], ids=["handler-returns", "handler-raises"])
def test_signal_during_select(implementation: ModuleType, handler_raises: bool) -> None:
    """A signal in handle_request's wait runs its handler; the wait resumes or the error escapes."""
    if not _in_main_thread() or not hasattr(signal, "setitimer"):
        pytest.skip("signal handlers need the main thread and signal.setitimer")
    events: list[str] = []
    clients: list[socket.socket] = []

    class Recording(implementation.TCPServer):  # type: ignore[misc,name-defined]
        timeout = DEADLINE

        def handle_timeout(self) -> None:
            events.append("handle_timeout")

    def on_alarm(signum: int, frame: Optional[FrameType]) -> None:
        events.append("signal")
        if handler_raises:
            raise _Interrupted("raised by the signal handler")
        # Only now does a request arrive, so it can be served only if the wait resumed.
        clients.append(socket.create_connection(server.server_address, DEADLINE))

    with watch_leaks(settle=0) as leaks:
        server = Recording((LOOPBACK, 0), _reply_handler(implementation))
        previous = signal.signal(signal.SIGALRM, on_alarm)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            if handler_raises:
                with pytest.raises(_Interrupted):
                    server.handle_request()
            else:
                server.handle_request()
                assert clients[0].recv(16) == b"ok", "the request after the signal was not served"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            for client in clients:
                client.close()
            server.server_close()
        assert events == ["signal"], events
    assert not leaks, leaks.describe()

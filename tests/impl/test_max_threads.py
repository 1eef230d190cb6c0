"""ThreadingMixIn.max_threads: an extension that bounds the request threads running at once."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from typing import Any, Callable, Generator, List, Optional, Set

import pytest
from sockspec import impl

from tests.impl.helpers import shut_down_promptly

DEADLINE = 30.0
CLIENTS = 128


class Gauge:
    """The handler threads running now, the most that ever ran at once, and their release."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.threads: Set[int] = set()
        self.peak = 0
        self.release = threading.Event()

    @property
    def running(self) -> int:
        """How many handlers are inside ``held()`` now."""
        return len(self.threads)

    @contextlib.contextmanager
    def held(self) -> Generator[None, None, None]:
        """Count the calling handler's thread as running while the block runs."""
        ident = threading.get_ident()
        with self.lock:
            self.threads.add(ident)
            self.peak = max(self.peak, len(self.threads))
        try:
            yield
        finally:
            with self.lock:
                self.threads.discard(ident)


def _server(gauge: Gauge, limit: Optional[int], **options: Any) -> Any:
    """A threading TCP server whose handlers wait for ``gauge.release``, then echo a line."""

    class Held(impl.StreamRequestHandler):
        def handle(self) -> None:
            with gauge.held():
                line = self.rfile.readline()
                gauge.release.wait(DEADLINE)
                self.wfile.write(line)

    class Server(impl.ThreadingTCPServer):
        request_queue_size = CLIENTS
        max_threads = limit
        accepted = 0

        def get_request(self) -> Any:
            accepted = super().get_request()
            self.accepted += 1
            return accepted

    for name, value in options.items():
        setattr(Server, name, value)
    return Server(("127.0.0.1", 0), Held)


def _connect(server: Any, count: int) -> List[socket.socket]:
    clients: List[socket.socket] = []
    for number in range(count):
        client = socket.create_connection(server.server_address, timeout=DEADLINE)
        clients.append(client)
        client.sendall(b"%d\n" % number)
    return clients


@contextlib.contextmanager
def _clients(server: Any, gauge: Gauge, count: int) -> Generator[List[socket.socket], None, None]:
    """``count`` connected clients; at the end every handler is released and each closed."""
    clients = _connect(server, count)
    try:
        yield clients
    finally:
        gauge.release.set()
        for client in clients:
            client.close()


def _read_line(client: socket.socket) -> bytes:
    """One line of reply; the file is closed at once (PyPy closes only on collection)."""
    with client.makefile("rb") as reader:
        return reader.readline()


def _request_threads() -> List[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def test_max_threads_defaults_to_none() -> None:
    """None (no limit, the stdlib's behaviour) is the default on every threading server."""
    assert impl.ThreadingMixIn.max_threads is None
    assert impl.ThreadingTCPServer.max_threads is None
    assert impl.ThreadingUDPServer.max_threads is None


def test_bound_holds_under_128_clients_and_no_request_is_lost(
    serving: Callable[..., Any], wait_until: Callable[..., bool]
) -> None:
    """With 128 clients, 8 threads run at once, the rest wait unaccepted, every one is served."""
    gauge = Gauge()
    with (
        _server(gauge, 8) as server,
        serving(server),
        _clients(server, gauge, CLIENTS) as clients,
    ):
        assert wait_until(lambda: gauge.running == 8)
        time.sleep(0.2)  # room for a ninth thread or accept, were the bound broken
        assert (gauge.running, server.accepted) == (8, 8)
        gauge.release.set()
        replies = [_read_line(client) for client in clients]
    assert replies == [b"%d\n" % number for number in range(CLIENTS)]
    assert gauge.peak == 8
    assert server.accepted == CLIENTS


def test_shutdown_is_prompt_while_the_limit_is_reached(wait_until: Callable[..., bool]) -> None:
    """shutdown() returns while every slot is held and clients wait in the backlog."""
    gauge = Gauge()
    with _server(gauge, 2) as server:
        loop = threading.Thread(target=server.serve_forever, daemon=True)
        loop.start()
        with _clients(server, gauge, 4):
            assert wait_until(lambda: gauge.running == 2)
            shut_down_promptly(server, loop, "shutdown() waited for a free slot")
            assert gauge.running == 2  # returned before any handler was released
            assert server.accepted == 2


def test_no_thread_outlives_server_close(wait_until: Callable[..., bool]) -> None:
    """server_close() (block_on_close, the default) returns after every request thread."""
    gauge = Gauge()
    server = _server(gauge, 3)
    with server:
        loop = threading.Thread(target=server.serve_forever, daemon=True)
        loop.start()
        clients = _connect(server, 6)
        assert wait_until(lambda: gauge.running == 3)
        gauge.release.set()
        replies = [_read_line(client) for client in clients]
        server.shutdown()
        loop.join(DEADLINE)
    assert _request_threads() == []
    for client in clients:
        client.close()
    assert len(replies) == 6
    assert gauge.peak <= 3


def test_daemon_threads_are_bounded_too(
    serving: Callable[..., Any], wait_until: Callable[..., bool]
) -> None:
    """With daemon_threads the request threads are daemons and still at most max_threads."""
    gauge = Gauge()
    with (
        _server(gauge, 2, daemon_threads=True) as server,
        serving(server),
        _clients(server, gauge, 5) as clients,
    ):
        assert wait_until(lambda: gauge.running == 2)
        assert all(thread.daemon for thread in _request_threads())
        gauge.release.set()
        replies = [_read_line(client) for client in clients]
    assert wait_until(lambda: _request_threads() == [])
    assert len(replies) == 5
    assert gauge.peak == 2


def test_without_block_on_close_server_close_does_not_wait(
    wait_until: Callable[..., bool],
) -> None:
    """block_on_close = False: server_close() returns while bounded handlers still run."""
    gauge = Gauge()
    server = _server(gauge, 2, block_on_close=False)
    loop = threading.Thread(target=server.serve_forever, daemon=True)
    loop.start()
    with _clients(server, gauge, 2):
        assert wait_until(lambda: gauge.running == 2)
        server.shutdown()
        loop.join(DEADLINE)
        server.server_close()
        assert gauge.running == 2
    for thread in _request_threads():
        thread.join(DEADLINE)
    assert _request_threads() == []


def test_a_limit_below_one_is_reported_by_handle_error() -> None:
    """max_threads = 0 cannot serve anything: the request goes to handle_error(), closed."""
    errors: List[BaseException] = []

    class Server(impl.ThreadingTCPServer):
        max_threads = 0

        def handle_error(self, request: Any, client_address: Any) -> None:
            errors.append(sys.exc_info()[1] or RuntimeError("no exception"))

    server = Server(("127.0.0.1", 0), impl.BaseRequestHandler)
    with server, socket.create_connection(server.server_address, timeout=DEADLINE) as client:
        server.handle_request()
        assert client.recv(1) == b""
    assert len(errors) == 1
    assert isinstance(errors[0], ValueError)


@pytest.mark.parametrize("limit", [1, 4])
def test_handle_request_respects_the_bound(limit: int) -> None:
    """handle_request() in a loop, without serve_forever(), also waits for a free slot."""
    gauge = Gauge()
    gauge.release.set()  # handlers finish at once; the bound is checked by the peak
    with _server(gauge, limit) as server:
        clients = _connect(server, 10)
        for _ in clients:
            server.handle_request()
        replies = [_read_line(client) for client in clients]
        for client in clients:
            client.close()
    assert len(replies) == 10
    assert gauge.peak <= limit

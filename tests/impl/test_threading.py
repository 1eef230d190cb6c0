"""ThreadingMixIn: bounded bookkeeping, block_on_close, daemon_threads, errors in threads."""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, List

from sockspec import impl

from tests.impl.helpers import drain, send_line

DEADLINE = 30.0


def test_finished_threads_are_not_kept() -> None:
    """After sequential requests, the server holds no finished thread (the stdlib keeps some)."""
    threads: List[threading.Thread] = []
    live_while_handling: List[int] = []

    class Recording(impl.StreamRequestHandler):
        def handle(self) -> None:
            threads.append(threading.current_thread())
            live_while_handling.append(len(vars(self.server)["_threads"]))
            self.wfile.write(self.rfile.readline())

    with impl.ThreadingTCPServer(("127.0.0.1", 0), Recording) as server:
        for _ in range(20):
            client = send_line(server.server_address)
            server.handle_request()
            assert drain(client) == b"hello\n"
        for thread in threads:
            thread.join(DEADLINE)
        assert len(server._threads) == 0  # pyright: ignore[reportPrivateUsage]
    assert len(threads) == 20
    assert min(live_while_handling) >= 1  # a running thread is tracked


def test_block_on_close_waits_for_running_handlers() -> None:
    """server_close() returns only after the running request threads have finished."""
    gate, done = threading.Event(), threading.Event()
    seen_at_close: List[bool] = []

    class Slow(impl.BaseRequestHandler):
        def handle(self) -> None:
            gate.wait(DEADLINE)
            done.set()

    server = impl.ThreadingTCPServer(("127.0.0.1", 0), Slow)
    with send_line(server.server_address):
        server.handle_request()

        def close() -> None:
            server.server_close()
            seen_at_close.append(done.is_set())

        closer = threading.Thread(target=close)
        closer.start()
        gate.set()
        closer.join(DEADLINE)
    assert seen_at_close == [True]


def test_without_block_on_close_server_close_returns_at_once() -> None:
    """With block_on_close false, server_close() does not wait for a blocked handler."""
    gate = threading.Event()
    handlers: List[threading.Thread] = []

    class Blocked(impl.BaseRequestHandler):
        def handle(self) -> None:
            handlers.append(threading.current_thread())
            gate.wait(DEADLINE)

    class Impatient(impl.ThreadingTCPServer):
        block_on_close = False

    server = Impatient(("127.0.0.1", 0), Blocked)
    try:
        with send_line(server.server_address):
            server.handle_request()
            server.server_close()
            assert not gate.is_set()
    finally:
        gate.set()
    for thread in handlers:
        thread.join(DEADLINE)


def test_daemon_threads_are_daemons_and_untracked() -> None:
    """daemon_threads makes request threads daemons, which server_close() does not track."""
    flags: List[bool] = []
    finished = threading.Event()

    class Recording(impl.BaseRequestHandler):
        def handle(self) -> None:
            flags.append(threading.current_thread().daemon)

        def finish(self) -> None:
            finished.set()

    class Daemonic(impl.ThreadingTCPServer):
        daemon_threads = True

    with Daemonic(("127.0.0.1", 0), Recording) as server, send_line(server.server_address):
        server.handle_request()
        assert finished.wait(DEADLINE)
        assert not hasattr(server, "_threads")
    assert flags == [True]


def test_request_threads_are_not_daemons_by_default(serving: Callable[..., Any]) -> None:
    """Request threads are non-daemon even when serve_forever() runs in a daemon thread."""
    flags: List[bool] = []

    class Recording(impl.StreamRequestHandler):
        def handle(self) -> None:
            flags.append(threading.current_thread().daemon)
            self.wfile.write(self.rfile.readline())

    server = impl.ThreadingTCPServer(("127.0.0.1", 0), Recording)
    with serving(server) as thread:
        assert thread.daemon
        assert drain(send_line(server.server_address)) == b"hello\n"
    assert flags == [False]


def test_server_close_from_a_request_thread_does_not_join_itself() -> None:
    """A handler may call server_close(): its own thread is skipped instead of joined."""
    errors: List[BaseException] = []

    class Closing(impl.BaseRequestHandler):
        def handle(self) -> None:
            try:
                self.server.server_close()
            except BaseException as error:  # pragma: no cover - reported by the assert
                errors.append(error)

    server = impl.ThreadingTCPServer(("127.0.0.1", 0), Closing)
    with send_line(server.server_address) as client:
        server.handle_request()
        assert drain(client) == b""
    server.server_close()
    assert errors == []


def test_handler_errors_reach_handle_error_in_the_thread() -> None:
    """An exception in a request thread goes to handle_error() there, then the request is shut."""
    reports: List[Any] = []

    class Failing(impl.BaseRequestHandler):
        def handle(self) -> None:
            raise ValueError("fails on purpose")

    class Reporting(impl.ThreadingTCPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            reports.append((threading.current_thread() is not threading.main_thread(), request))

    with Reporting(("127.0.0.1", 0), Failing) as server, send_line(server.server_address) as client:
        server.handle_request()
        assert drain(client) == b""
    assert len(reports) == 1
    in_thread, request = reports[0]
    assert in_thread
    assert request.fileno() == -1


def test_request_threads_are_named_like_the_stdlib_s() -> None:
    """Request threads carry the stdlib's target name in their name (Python 3.10+ adds it)."""
    names: List[str] = []

    class Recording(impl.BaseRequestHandler):
        def handle(self) -> None:
            names.append(threading.current_thread().name)

    server = impl.ThreadingTCPServer(("127.0.0.1", 0), Recording)
    with server, send_line(server.server_address):
        server.handle_request()
    assert len(names) == 1
    assert names[0].startswith("Thread-")
    if sys.version_info >= (3, 10):
        assert names[0].endswith("(process_request_thread)")

"""serve_forever() and shutdown(): prompt wake-up, no self-deadlock, the stdlib's early shutdown."""

from __future__ import annotations

import threading
from typing import Any, Callable, List, Tuple

import pytest
from sockspec import impl

from tests.impl.helpers import shut_down_promptly

DEADLINE = 30.0
#: A poll interval no test could sit out: shutdown() must not depend on it.
FOREVER = 3600.0


class Quiet(impl.BaseRequestHandler):
    """Handles a request by doing nothing."""


class CountingServer(impl.TCPServer):
    """Counts service_actions() calls and signals after a chosen number of them."""

    def __init__(self, target: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), Quiet)
        self.calls = 0
        self.target = target
        self.reached = threading.Event()

    def service_actions(self) -> None:
        self.calls += 1
        if self.calls >= self.target:
            self.reached.set()


def _start(server: Any, poll_interval: Any) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
    )
    thread.start()
    return thread


def _stop(server: Any, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(DEADLINE)
    server.server_close()
    assert not thread.is_alive()


def _entered(server: Any) -> Callable[[], bool]:
    """True once serve_forever() has set up its wake-up channel (it is inside the loop)."""
    return lambda: server._BaseServer__wakeup is not None


def test_shutdown_wakes_serve_forever_at_once(wait_until: Callable[..., bool]) -> None:
    """shutdown() returns although poll_interval is an hour: the loop is woken, not polled."""
    server = CountingServer()
    thread = _start(server, FOREVER)
    assert wait_until(_entered(server))
    shut_down_promptly(server, thread, "shutdown() waited for the poll interval")
    server.server_close()
    assert server.calls == 0  # woken by shutdown, not by a poll timeout


def test_shutdown_wakes_a_loop_without_poll_interval(wait_until: Callable[..., bool]) -> None:
    """shutdown() also ends serve_forever(poll_interval=None), which never times out."""
    server = CountingServer()
    thread = _start(server, None)
    assert wait_until(_entered(server))
    _stop(server, thread)


def test_poll_interval_still_paces_service_actions() -> None:
    """With no requests, service_actions() runs again and again, once per poll interval."""
    server = CountingServer(target=5)
    thread = _start(server, 0.001)
    try:
        assert server.reached.wait(DEADLINE)
    finally:
        _stop(server, thread)
    assert server.calls >= 5


def test_shutdown_from_the_serving_thread_raises() -> None:
    """shutdown() inside the loop's own thread raises RuntimeError instead of deadlocking."""
    errors: List[BaseException] = []
    raised = threading.Event()

    class SelfStopping(CountingServer):
        def service_actions(self) -> None:
            if not raised.is_set():
                try:
                    self.shutdown()
                except RuntimeError as error:
                    errors.append(error)
                raised.set()

    server = SelfStopping()
    thread = _start(server, 0.001)
    try:
        assert raised.wait(DEADLINE)
    finally:
        _stop(server, thread)
    assert len(errors) == 1
    assert "serve_forever" in str(errors[0])


def test_shutdown_before_the_loop_starts_ends_it_at_once() -> None:
    """shutdown() right after starting the thread (maybe before the loop) returns; the loop ends."""
    pairs: List[Tuple[CountingServer, threading.Thread]] = []
    for _ in range(20):
        server = CountingServer()
        pairs.append((server, _start(server, FOREVER)))
    for server, thread in pairs:
        _stop(server, thread)


def test_shutdown_before_the_thread_exists_waits_for_the_loop() -> None:
    """shutdown() called before serve_forever() waits until a loop has started and ended."""
    server = CountingServer()
    stopper = threading.Thread(target=server.shutdown, daemon=True)
    stopper.start()
    thread = _start(server, FOREVER)
    stopper.join(DEADLINE)
    thread.join(DEADLINE)
    server.server_close()
    assert not stopper.is_alive()
    assert not thread.is_alive()


def test_serve_forever_can_run_again_after_shutdown(
    wait_until: Callable[..., bool], talk: Callable[..., bytes]
) -> None:
    """After shutdown() the same server can serve_forever() again and handle requests."""

    class Echo(impl.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(self.rfile.readline())

    server = impl.TCPServer(("127.0.0.1", 0), Echo)
    for round_trip in (b"one\n", b"two\n"):
        thread = _start(server, FOREVER)
        assert talk(server.server_address, round_trip) == round_trip
        server.shutdown()
        thread.join(DEADLINE)
        assert not thread.is_alive()
    server.server_close()


def test_a_second_concurrent_serve_forever_is_refused(wait_until: Callable[..., bool]) -> None:
    """serve_forever() while another thread runs it raises RuntimeError."""
    server = CountingServer()
    thread = _start(server, FOREVER)
    try:
        assert wait_until(_entered(server))
        with pytest.raises(RuntimeError, match="already running"):
            server.serve_forever()
    finally:
        _stop(server, thread)


def test_serve_forever_releases_its_wake_up_channel() -> None:
    """The wake-up sockets exist only while serve_forever() runs (the leak check counts them)."""
    server = CountingServer()
    thread = _start(server, FOREVER)
    _stop(server, thread)
    assert server._BaseServer__wakeup is None  # type: ignore[attr-defined]

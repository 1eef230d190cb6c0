"""The loop's waiting: poll() where available, select() elsewhere, and closed servers refused."""

from __future__ import annotations

import select
import socketserver
import threading
from types import ModuleType
from typing import Any, Callable

import pytest
from sockspec import impl

DEADLINE = 30.0


class Echo(impl.StreamRequestHandler):
    """Echoes one line."""

    def handle(self) -> None:
        self.wfile.write(self.rfile.readline())


def test_select_fallback_serves_and_shuts_down(
    monkeypatch: pytest.MonkeyPatch, talk: Callable[..., bytes]
) -> None:
    """Without select.poll (as on Windows) both loops still serve, time out and shut down."""
    monkeypatch.delattr(select, "poll")
    timeouts: list[bool] = []

    class Timing(impl.TCPServer):
        timeout = 0.0

        def handle_timeout(self) -> None:
            timeouts.append(True)

    with Timing(("127.0.0.1", 0), Echo) as server:
        server.handle_request()
        assert timeouts == [True]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 3600})
        thread.start()
        try:
            assert talk(server.server_address, b"fallback\n") == b"fallback\n"
        finally:
            server.shutdown()
            thread.join(DEADLINE)
        assert not thread.is_alive()


@pytest.mark.parametrize("module", [socketserver, impl], ids=["stdlib", "impl"])
@pytest.mark.parametrize("method", ["serve_forever", "handle_request"])
def test_a_closed_server_refuses_to_wait(module: ModuleType, method: str) -> None:
    """serve_forever() and handle_request() on a closed server raise ValueError, as the stdlib."""
    server: Any = module.TCPServer(("127.0.0.1", 0), module.BaseRequestHandler)
    server.server_close()
    with pytest.raises(ValueError, match="Invalid file descriptor"):
        getattr(server, method)()


def test_handle_request_respects_the_socket_timeout() -> None:
    """handle_request() waits no longer than the listening socket's own timeout either."""
    timeouts: list[bool] = []

    class Timing(impl.TCPServer):
        def handle_timeout(self) -> None:
            timeouts.append(True)

    with Timing(("127.0.0.1", 0), Echo) as server:
        server.socket.settimeout(0.0)
        server.handle_request()
    assert timeouts == [True]


def test_a_negative_poll_interval_polls_without_blocking() -> None:
    """A poll_interval below zero means "do not block", as with the selectors module."""
    calls = threading.Event()

    class Counting(impl.TCPServer):
        def service_actions(self) -> None:
            calls.set()

    with Counting(("127.0.0.1", 0), Echo) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": -1})
        thread.start()
        try:
            assert calls.wait(DEADLINE)
        finally:
            server.shutdown()
            thread.join(DEADLINE)

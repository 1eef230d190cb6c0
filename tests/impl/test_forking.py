"""ForkingMixIn: no zombies, max_children honoured, only the server's own children waited for."""

from __future__ import annotations

import os
import socket
from typing import Any, Callable, List

import pytest
from sockspec import impl

from tests.impl.helpers import drain, send_line

DEADLINE = 30.0

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="ForkingMixIn needs os.fork"),
    # Python 3.12+ warns about fork() in a process with threads; the children only echo.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


class PidEcho(impl.StreamRequestHandler):
    """Replies with the pid of the process that handled the request."""

    def handle(self) -> None:
        self.rfile.readline()
        self.wfile.write(str(os.getpid()).encode())


def _is_unreaped_child(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return False


class Deep(impl.ForkingTCPServer):
    """Accepts a larger backlog, so many clients can connect before any is served."""

    request_queue_size = 32


def _handle_each(server: Deep, count: int, *, collect: bool = False) -> List[socket.socket]:
    """Connect ``count`` clients, then handle their requests one by one (no serve_forever).

    ``collect`` also runs ``service_actions()`` after each, as serve_forever() would.
    """
    clients = [send_line(server.server_address) for _ in range(count)]
    for _ in clients:
        server.handle_request()
        if collect:
            server.service_actions()
    return clients


def test_server_close_leaves_no_zombies() -> None:
    """After server_close(), every child the server forked has been collected."""
    with Deep(("127.0.0.1", 0), PidEcho) as server:
        clients = _handle_each(server, 5)
    pids = [int(drain(client)) for client in clients]
    assert len(set(pids)) == 5
    assert os.getpid() not in pids
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already collected by the server
    assert not server.active_children


@pytest.mark.parametrize("waiting", ["pidfd", "waitpid"])
def test_max_children_is_never_exceeded(waiting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With max_children = 2, no more than two children are ever outstanding (either wait)."""
    if waiting == "waitpid":
        monkeypatch.delattr(os, "pidfd_open", raising=False)  # the fallback of other kernels
    elif not hasattr(os, "pidfd_open"):
        pytest.skip("os.pidfd_open needs Python 3.9+ on Linux 5.3+")
    outstanding: List[int] = []

    class Limited(Deep):
        max_children = 2

        def process_request(self, request: Any, client_address: Any) -> None:
            super().process_request(request, client_address)
            outstanding.append(len(self.active_children or ()))

    with Limited(("127.0.0.1", 0), PidEcho) as server:
        clients = _handle_each(server, 8)  # the limit is kept by process_request alone
    assert all(len(drain(client)) > 0 for client in clients)
    assert max(outstanding) <= 2
    assert not server.active_children


def test_children_not_forked_by_the_server_are_left_alone() -> None:
    """At the max_children limit the server waits for its own child, never reaping a stranger."""
    stranger = os.fork()
    if stranger == 0:
        os._exit(72)  # exits at once: a zombie nobody but this test may collect
    try:

        class Single(Deep):
            max_children = 1

        with Single(("127.0.0.1", 0), PidEcho) as server:
            clients = _handle_each(server, 3, collect=True)
        for client in clients:
            drain(client)
    finally:
        pid, status = os.waitpid(stranger, 0)
    assert pid == stranger
    assert os.WIFEXITED(status)
    assert os.WEXITSTATUS(status) == 72


def test_zero_max_children_does_not_spin() -> None:
    """max_children = 0 makes each request wait for the previous child, and still finishes."""

    class Serial(Deep):
        max_children = 0

    with Serial(("127.0.0.1", 0), PidEcho) as server:
        clients = _handle_each(server, 3)
    assert all(len(drain(client)) > 0 for client in clients)
    assert not server.active_children


def test_serve_forever_collects_children_every_turn(
    serving: Any, wait_until: Callable[..., bool]
) -> None:
    """Children of a server in serve_forever() are collected without server_close()."""
    server = impl.ForkingTCPServer(("127.0.0.1", 0), PidEcho)
    with serving(server, poll_interval=0.01):
        pid = int(drain(send_line(server.server_address)))
        assert wait_until(lambda: pid not in (server.active_children or ()))
        assert not _is_unreaped_child(pid)


def test_child_errors_are_reported_in_the_child() -> None:
    """An exception in the child's handler goes to handle_error() there; the child exits."""
    read_end, write_end = os.pipe()

    class Failing(impl.BaseRequestHandler):
        def handle(self) -> None:
            raise ValueError("fails on purpose")

    class Reporting(impl.ForkingTCPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            os.write(write_end, b"reported")

    try:
        with Reporting(("127.0.0.1", 0), Failing) as server, send_line(server.server_address):
            server.handle_request()
        os.close(write_end)
        write_end = -1
        assert os.read(read_end, 64) == b"reported"
    finally:
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)

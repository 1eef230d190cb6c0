"""Checks for server_close() and the context manager: the listening socket is released."""

from __future__ import annotations

import errno
import time
from typing import Any

import pytest
from sockspec.conformance.checks._helpers import configured_server
from sockspec.conformance.harness import (
    BackgroundCall,
    DeliberateFailure,
    Harness,
    TargetLike,
)
from sockspec.conformance.preconditions import blocked


@pytest.mark.clause("server.server_close.releases_socket")
def test_server_close_releases_socket(target: TargetLike, harness: Harness) -> None:
    """server_close closes the listening socket: its descriptor is released."""
    server = harness.make_server()
    address = server.server_address
    server.server_close()
    assert server.socket.fileno() == -1, "expected server.socket to be closed by server_close()"
    if not harness.datagram:
        probe = harness.client_socket()
        refused = probe.connect_ex(address)
        assert refused != 0, "expected connecting to a closed server to be refused; it succeeded"


@pytest.mark.clause("server.context_manager.returns_self")
def test_context_manager_returns_self(target: TargetLike, harness: Harness) -> None:
    """``with server as entered`` binds the server itself."""
    server = harness.make_server()
    with server as entered:
        assert entered is server, f"expected __enter__ to return the server; got {entered!r}"


@pytest.mark.clause("server.context_manager.closes")
def test_context_manager_closes(target: TargetLike, harness: Harness) -> None:
    """Leaving a ``with server:`` block closes the server as server_close does."""
    server = harness.make_server()
    with server as entered:
        assert entered is server, f"expected __enter__ to return the server; got {entered!r}"
    assert server.socket.fileno() == -1, (
        "expected the socket to be closed on leaving the with block"
    )


@pytest.mark.clause("server.context_manager.closes")
def test_context_manager_closes_on_error(target: TargetLike, harness: Harness) -> None:
    """Leaving a ``with server:`` block by an exception also closes the server."""
    server = harness.make_server()
    with pytest.raises(DeliberateFailure), server:
        raise DeliberateFailure("deliberate error inside the with block")
    assert server.socket.fileno() == -1, "expected the socket to be closed after the error"


#: connect() errors that mean nothing listens at the address (ENOENT: a Unix socket's file
#: was removed).  Any other error, a timeout above all, is not a refusal: a server that still
#: listens but accepts nobody drops connections once its backlog is full.
_REFUSALS = frozenset({errno.ECONNREFUSED, errno.ENOENT})


def _refused_within(harness: Harness, address: Any) -> bool:
    """Whether connecting to ``address`` is refused before the harness timeout ends."""
    deadline = time.monotonic() + harness.timeout
    while True:
        probe = harness.client_socket()
        # A connect() left waiting (full backlog) must not outlast the deadline.
        probe.settimeout(max(deadline - time.monotonic(), 0.05))
        try:
            if probe.connect_ex(address) in _REFUSALS:
                return True
        finally:
            probe.close()
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


@pytest.mark.clause("server.server_close.refuses_once_children_exit")
def test_server_close_refuses_once_children_exit(target: TargetLike, harness: Harness) -> None:
    """A forking server closed with a child running refuses new clients once the child exits."""
    recorder = harness.recorder()
    hold, release = harness.release_pipe()
    server = configured_server(
        harness, harness.reply_handler(recorder, hold_fd=hold), {"block_on_close": False}
    )
    address = server.server_address
    client = harness.send(server)
    harness.handle_one(server)
    started = recorder.wait_count("setup", 1, harness.timeout)
    closing = BackgroundCall(server.server_close, name="sockspec-server_close")
    returned = closing.wait(harness.timeout)
    release()  # the child answers and exits, closing its copy of the socket
    if not started:
        pytest.fail("expected the request to start a child")
    if not returned:
        blocked("forking.block_on_close.false_returns", "server_close() waited for the child")
    harness.reply(client)
    assert _refused_within(harness, address), (
        "expected connecting to be refused once the child holding the socket had exited; "
        f"it was still accepted or left waiting after {harness.timeout:g} s"
    )


@pytest.mark.clause("server.server_close.returns")
def test_server_close_returns_on_an_idle_server(target: TargetLike, harness: Harness) -> None:
    """server_close() on a server whose serve_forever() never ran returns."""
    server = harness.make_server()
    # The harness's own closing step, so that a hang seen here is known for later checks.
    problem = harness.close_server(server)
    assert problem is None, (
        f"expected server_close() on a server that never served to return; {problem}"
    )

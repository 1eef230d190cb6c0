"""Checks for server_close() and the context manager: the listening socket is released."""

from __future__ import annotations

import pytest
from sockspec.conformance.harness import (
    DeliberateFailure,
    Harness,
    TargetLike,
)


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

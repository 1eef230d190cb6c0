"""Checks for binding and activation (server_bind, server_activate) and fileno()."""

from __future__ import annotations

import select
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sockspec.conformance.checks._helpers import unbound_server
from sockspec.conformance.harness import (
    Harness,
    TargetLike,
    is_listening,
    listen_backlog,
)


@pytest.mark.clause("server.server_bind.binds")
def test_server_bind_binds_to_server_address(target: TargetLike, harness: Harness) -> None:
    """server_bind() binds the socket to server_address; an override is called once."""
    recorder = harness.recorder()
    base = harness.server_base()

    def server_bind(self: Any) -> None:
        recorder.record("server_bind")
        base.server_bind(self)

    server = harness.make_server(recorder=recorder, attrs={"server_bind": server_bind})
    calls = len(recorder.named("server_bind"))
    assert calls == 1, f"expected the constructor to call server_bind once; observed {calls}"
    unbound = unbound_server(harness)
    requested: object = unbound.server_address
    unbound.server_bind()
    local: Any = unbound.socket.getsockname()
    if isinstance(requested, tuple):
        host = cast("Sequence[object]", requested)[0]
        bound = bool(local[0] == host and local[1] != 0)
        assert bound, f"expected the socket bound to {requested!r} (any port); got {local!r}"
    else:
        assert local == requested, f"expected the socket bound to {requested!r}; got {local!r}"
    assert server.socket.getsockname() == server.server_address, "expected binding to match"


@pytest.mark.clause("server.server_activate.called_by_constructor")
def test_overriding_server_activate_called_once(target: TargetLike, harness: Harness) -> None:
    """An overriding server_activate() is called once by the constructor, after server_bind()."""
    recorder = harness.recorder()
    base = harness.server_base()

    def server_activate(self: Any) -> None:
        recorder.record("server_activate")
        base.server_activate(self)

    harness.make_server(
        recorder=recorder, attrs={"server_activate": server_activate}, record=("server_bind",)
    )
    steps = [n for n in recorder.names() if n in ("server_bind", "server_activate")]
    assert steps == ["server_bind", "server_activate"], (
        f"expected ['server_bind', 'server_activate'] from the constructor; observed {steps}"
    )


@pytest.mark.clause("server.server_activate.listens")
def test_server_activate_listens(target: TargetLike, harness: Harness) -> None:
    """After construction (server_activate) the server's socket is listening."""
    server = harness.make_server()
    listening = is_listening(server.socket)
    if listening is None:
        pytest.skip("this OS cannot report whether a socket listens (no SO_ACCEPTCONN)")
    assert listening, "expected server_activate() to put the socket into listening state"


@pytest.mark.clause("server.server_activate.listens_stream")
def test_server_activate_listens_with_backlog(target: TargetLike, harness: Harness) -> None:
    """server_activate() makes a stream socket listen, with request_queue_size as backlog."""
    server = unbound_server(harness, attrs={"request_queue_size": 3})
    server.server_bind()
    before = is_listening(server.socket)
    server.server_activate()
    after = is_listening(server.socket)
    if after is None:
        pytest.skip("this OS cannot report whether a socket listens (no SO_ACCEPTCONN)")
    assert not before, "expected the socket not to listen before server_activate()"
    assert after, "expected the socket to listen after server_activate()"
    backlog = listen_backlog(server.socket)
    if backlog is not None:
        assert backlog == 3, f"expected a listen backlog of request_queue_size=3; got {backlog}"


@pytest.mark.clause("server.server_activate.datagram_noop")
def test_server_activate_datagram_does_nothing(target: TargetLike, harness: Harness) -> None:
    """For a datagram server, server_activate() leaves the socket as it was."""
    server = unbound_server(harness)
    server.server_bind()

    def snapshot() -> tuple[object, ...]:
        sock = server.socket
        return (sock.fileno(), sock.getsockname(), sock.gettimeout(), is_listening(sock))

    before = snapshot()
    result = server.server_activate()
    assert result is None, f"expected None; got {result!r}"
    assert snapshot() == before, f"expected the socket unchanged; {before!r} -> {snapshot()!r}"
    assert harness.exchange(server).startswith(b"reply:"), "expected the server to still serve"


@pytest.mark.clause("server.fileno.listening_socket")
def test_fileno_is_the_listening_socket(target: TargetLike, harness: Harness) -> None:
    """fileno returns the descriptor of the server's own socket."""
    server = harness.make_server()
    observed = server.fileno()
    expected = server.socket.fileno()
    assert observed == expected, (
        f"expected fileno() == socket.fileno() == {expected}; got {observed}"
    )


@pytest.mark.clause("server.fileno.selectable")
def test_fileno_works_with_select(target: TargetLike, harness: Harness) -> None:
    """select on the server object reports it readable once a request is waiting."""
    server = harness.make_server()
    harness.send(server)
    readable, _, _ = select.select([server], [], [], harness.timeout)
    assert server in readable, (
        f"expected select([server]) to report a waiting request within {harness.timeout:g} s; "
        "it did not"
    )

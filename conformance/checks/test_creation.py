"""Checks for server creation: the constructor, the concrete classes and the creation notes."""

from __future__ import annotations

import os
import select
import socket
import socketserver
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest
from sockspec.conformance.checks._helpers import (
    clause_param,
    exchange_with_state_change,
    unbound_server,
)
from sockspec.conformance.harness import Event, Harness, ReplyHandler, TargetLike


def _family_name(family: int) -> str:
    try:
        return socket.AddressFamily(family).name
    except ValueError:
        return str(family)


def _type_name(kind: int) -> str:
    try:
        return socket.SocketKind(kind).name
    except ValueError:
        return str(kind)


def _is_unbound(local: object) -> bool:
    if local in ("", b"", None):
        return True
    return isinstance(local, tuple) and cast("Sequence[object]", local)[1] == 0


def _bind_steps(names: list[str]) -> list[str]:
    return [name for name in names if name in ("server_bind", "server_activate")]


@pytest.mark.clause("creation.constructor.binds_and_activates")
def test_constructor_binds_then_activates(target: TargetLike, harness: Harness) -> None:
    """The constructor calls server_bind then server_activate; the server is usable at once."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, record=("server_bind", "server_activate"))
    observed = _bind_steps(recorder.names())
    assert observed == ["server_bind", "server_activate"], (
        f"expected the constructor to call ['server_bind', 'server_activate']; observed {observed}"
    )
    if not harness.datagram:
        try:
            harness.connect(server)  # completes without accept() once the socket listens
        except OSError as error:
            pytest.fail(f"expected a client to connect once the constructor returned; {error}")


@pytest.mark.clause("creation.constructor.stores_arguments")
def test_constructor_stores_arguments(target: TargetLike, harness: Harness) -> None:
    """server_address and RequestHandlerClass hold what the constructor was given."""
    handler = harness.reply_handler()
    address = harness.bind_address()
    server = harness.make_server(handler, address=address)
    assert server.RequestHandlerClass is handler, (
        "expected RequestHandlerClass to be the handler passed in; "
        f"got {server.RequestHandlerClass!r}"
    )
    if isinstance(address, tuple):
        assert server.server_address[0] == address[0], (
            f"expected server_address to keep the host {address[0]!r}; "
            f"got {server.server_address!r}"
        )
    else:
        assert server.server_address == address, (
            f"expected server_address {address!r}; got {server.server_address!r}"
        )


@pytest.mark.clause("creation.bind_and_activate.deferred")
def test_bind_and_activate_false_defers(target: TargetLike, harness: Harness) -> None:
    """With bind_and_activate=False nothing is bound until server_bind and server_activate run."""
    recorder = harness.recorder()
    server = unbound_server(
        harness, check_unbound=False, recorder=recorder, record=("server_bind", "server_activate")
    )
    early = _bind_steps(recorder.names())
    assert early == [], f"expected no bind or activate in the constructor; observed {early}"
    local = server.socket.getsockname()
    assert _is_unbound(local), (
        f"expected an unbound socket before server_bind(); it is bound to {local!r}"
    )
    server.server_bind()
    server.server_activate()
    reply = harness.exchange(server)
    assert reply.startswith(b"reply:"), f"expected a working server after binding; got {reply!r}"


@pytest.mark.clause("creation.constructor.closes_on_failure")
def test_constructor_closes_socket_on_failure(target: TargetLike, harness: Harness) -> None:
    """When server_activate fails in the constructor, the socket is closed before the error."""
    sockets: list[socket.socket] = []

    def server_activate(self: Any) -> None:
        sockets.append(self.socket)
        raise OSError("deliberate server_activate failure from the check")

    with pytest.raises(OSError, match="deliberate"):
        harness.make_server(attrs={"server_activate": server_activate})
    assert sockets, "expected the constructor to call server_activate"
    assert sockets[0].fileno() == -1, (
        "expected the constructor to close the server socket when activation failed; it is open"
    )


def _check_family_and_type(harness: Harness, family: int, kind: int) -> None:
    server = harness.make_server()
    observed = (server.socket.family, server.socket.type)
    assert observed == (family, kind), (
        f"expected a {_family_name(family)} {_type_name(kind)} socket; "
        f"got {_family_name(observed[0])} {_type_name(observed[1])}"
    )
    reply = harness.exchange(server)
    assert reply.startswith(b"reply:"), f"expected the server to answer a client; got {reply!r}"


# AF_UNIX is looked up when the check runs: platforms without it have no such constant,
# and the catalogue makes the Unix clauses inapplicable there (no "unix" target).
@pytest.mark.parametrize(
    ("family_name", "kind"),
    [
        clause_param("creation.tcp_server.inet_stream", "AF_INET", socket.SOCK_STREAM),
        clause_param("creation.udp_server.inet_datagram", "AF_INET", socket.SOCK_DGRAM),
        clause_param("creation.unix_stream_server.unix_stream", "AF_UNIX", socket.SOCK_STREAM),
        clause_param("creation.unix_datagram_server.unix_datagram", "AF_UNIX", socket.SOCK_DGRAM),
    ],
)
def test_socket_family_and_type(
    target: TargetLike, harness: Harness, family_name: str, kind: int
) -> None:
    """A TCP, UDP, Unix stream or Unix datagram server serves on a socket of its family and type.

    TCP: AF_INET SOCK_STREAM; UDP: AF_INET SOCK_DGRAM; the Unix servers: AF_UNIX at a path.
    """
    _check_family_and_type(harness, getattr(socket, family_name), kind)


def _has_mixin(target: TargetLike) -> bool:
    return bool({"threading", "forking"} & target.traits)


@pytest.mark.clause("creation.synchronous.one_at_a_time")
def test_synchronous_server_one_at_a_time(target: TargetLike, harness: Harness) -> None:
    """A server without a mix-in starts a request's handler only after the previous one returned."""
    guard = threading.Lock()
    active: list[int] = []
    lingered: list[bool] = []
    overlaps: list[str] = []
    overlapped = threading.Event()
    grace = harness.grace

    class Exclusive(ReplyHandler):
        def handle(self) -> None:
            with guard:
                first = not lingered
                lingered.append(True)
                active.append(1)
                if len(active) > 1:
                    overlaps.append("a second handler started while the first was running")
                    overlapped.set()
            try:
                super().handle()
                if first:
                    # Linger once: a server that runs handlers concurrently shows itself now.
                    overlapped.wait(grace)
            finally:
                with guard:
                    active.pop()

    handler = type("Exclusive", (Exclusive,), {"io_timeout": harness.timeout})
    server = harness.make_server(handler)
    with harness.serving(server):
        clients = [harness.send(server, b"req-%d\n" % n) for n in range(3)]
        replies = [harness.reply(client) for client in clients]
    assert not overlaps, f"expected one request at a time; observed: {overlaps[0]}"
    assert all(reply.startswith(b"reply:req-") for reply in replies), (
        f"expected every request answered; got {replies!r}"
    )


@pytest.mark.clause("creation.mixin.first_in_bases")
def test_mixin_first_in_bases(target: TargetLike, harness: Harness) -> None:
    """With a mix-in listed before the server class, requests run in a new thread or process."""
    recorder = harness.recorder()
    base: type
    if _has_mixin(target):
        base = target.obj
    else:
        base = type("MixedIn", (socketserver.ThreadingMixIn, target.obj), {})
    server = harness.make_server(recorder=recorder, base=base)
    reply = harness.exchange(server)
    assert reply.startswith(b"reply:"), f"expected a reply; got {reply!r}"
    handled = recorder.wait_count("handle", 1, harness.timeout)
    assert handled, "expected the handler to run"
    event = handled[0]
    elsewhere = event.pid != os.getpid() or event.values[2] != threading.get_ident()
    assert elsewhere, (
        f"expected {base.__name__} to handle the request in a new thread or process; "
        "it ran in the thread that called handle_request()"
    )


@pytest.mark.clause("creation.handler.handle_override")
def test_handle_override_runs_once_per_request(target: TargetLike, harness: Harness) -> None:
    """A handler subclass overriding handle() has it run once for each request."""
    recorder = harness.recorder()

    def handle(self: Any) -> None:
        recorder.record("handle")

    handler = type("OverridesHandle", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, recorder=recorder)
    for _ in range(2):
        harness.exchange(server, b"", expect_reply=False)
    calls = recorder.wait_count("handle", 2, harness.timeout)
    assert len(calls) == 2, f"expected handle() twice for two requests; observed {len(calls)}"


@pytest.mark.clause("creation.forking.state_not_shared")
def test_forking_state_not_shared(target: TargetLike, harness: Harness) -> None:
    """A change a forking server's handler makes to memory is not seen by the server process."""
    server, shared = exchange_with_state_change(harness)
    assert shared == [], "expected the handler's change to stay in the child; the parent saw it"
    assert server.marker == "original", "expected the server object in the parent to be unchanged"


def _at_least(count: int) -> Callable[[list[Event]], bool]:
    def done(events: list[Event]) -> bool:
        return sum(event.name in ("child-sent", "child-failed") for event in events) >= count

    return done


@pytest.mark.clause("creation.handler.explicit_fork")
def test_handler_may_fork(target: TargetLike, harness: Harness) -> None:
    """A handler that forks in handle() lets its child answer later while the server serves on."""
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork, which this platform lacks")
    recorder = harness.recorder()
    datagram = harness.datagram
    timeout = harness.timeout
    # The child answers only after the parent has finished the request: the
    # point of the pattern is that the child finishes the work on its own.
    go_read, go_write = harness.pipe()

    def handle(self: Any) -> None:
        pid = os.fork()
        if pid:
            recorder.record("forked", pid)
            return
        status = 1
        try:
            recorder.record("child")
            select.select([go_read], [], [], timeout)
            os.read(go_read, 1)
            if datagram:
                self.request[1].sendto(b"from-child", self.client_address)
            else:
                self.request.sendall(b"from-child")
            recorder.record("child-sent")
            status = 0
        except OSError as error:
            recorder.record("child-failed", str(error))
        finally:
            os._exit(status)

    handler = type("Forks", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, recorder=recorder)
    replies: list[bytes] = []
    for number, payload in enumerate((b"one\n", b"two\n"), start=1):
        client = harness.send(server, payload)
        harness.handle_one(server)
        os.write(go_write, b"g")
        # One child at a time, so that each child reads the go-ahead meant for it.
        recorder.wait_for(_at_least(number), timeout)
        reply = harness.reply(client)
        if datagram and not reply:
            # A datagram handler's finish() in the parent may send an empty reply first.
            reply = harness.reply(client)
        replies.append(reply)
    recorder.wait_count("child", 2, timeout)
    failures = [event.values[0] for event in recorder.named("child-failed")]
    assert replies == [b"from-child", b"from-child"], (
        f"expected each forked child to answer its client; got {replies!r}"
        + (f" (the child's send failed: {failures[0]})" if failures else "")
    )

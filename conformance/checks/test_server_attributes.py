"""Checks for the server's attributes and class variables as the socket shows them."""

from __future__ import annotations

import errno
import select
import socket
import sys
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sockspec.conformance.checks._helpers import GetRequestSpy
from sockspec.conformance.harness import Harness, TargetLike, listen_backlog

#: The backlog the request_queue_size checks ask for: small, and unlike any default.
QUEUE_SIZE = 3


def _expected_family(target: TargetLike) -> int:
    if "unix" in target.traits:
        return int(socket.AF_UNIX)
    if "inet6" in target.traits:
        return int(socket.AF_INET6)
    return int(socket.AF_INET)


@pytest.mark.clause("server.address_family.honoured")
def test_address_family_honoured(target: TargetLike, harness: Harness) -> None:
    """The server's socket has the family its address_family names."""
    server = harness.make_server()
    family = server.socket.family
    assert family == server.address_family, (
        f"expected socket family {server.address_family!r} (address_family); got {family!r}"
    )
    assert family == _expected_family(target), (
        f"expected a socket of family {_expected_family(target)!r} for traits "
        f"{sorted(target.traits)}; got {family!r}"
    )


@pytest.mark.clause("server.address_family.inet6_subclass")
def test_inet6_server_serves_over_ipv6(target: TargetLike, harness: Harness) -> None:
    """A server with address_family AF_INET6 serves clients over IPv6 on ::1."""
    server = harness.make_server()
    assert server.socket.family == socket.AF_INET6, (
        f"expected an AF_INET6 socket; got {server.socket.family!r}"
    )
    reply = harness.exchange(server)
    assert reply.startswith(b"reply:"), f"expected an answer over ::1; got {reply!r}"


@pytest.mark.clause("server.socket_type.honoured")
def test_socket_type_honoured(target: TargetLike, harness: Harness) -> None:
    """The server's socket has the type its socket_type names."""
    server = harness.make_server()
    kind = server.socket.type
    expected = socket.SOCK_DGRAM if harness.datagram else socket.SOCK_STREAM
    assert kind == server.socket_type, (
        f"expected socket type {server.socket_type!r} (socket_type); got {kind!r}"
    )
    assert kind == expected, f"expected {expected!r} for this target; got {kind!r}"


@pytest.mark.clause("server.server_address.real_port")
def test_server_address_has_real_port(target: TargetLike, harness: Harness) -> None:
    """After binding to port 0, server_address carries the port actually bound."""
    server = harness.make_server()
    port = server.server_address[1]
    bound = server.socket.getsockname()[1]
    assert port != 0, f"expected a real port in server_address; got {server.server_address!r}"
    assert port == bound, f"expected the bound port {bound}; server_address has {port}"


@pytest.mark.clause("server.server_address.inet_tuple")
def test_server_address_is_host_port_tuple(target: TargetLike, harness: Harness) -> None:
    """An internet server's server_address is a tuple of host string and int port."""
    server = harness.make_server()
    address: object = server.server_address
    assert isinstance(address, tuple), f"expected a tuple; got {type(address).__name__}"
    items = cast("Sequence[object]", address)
    assert isinstance(items[0], str), f"expected a host string first; got {items[0]!r}"
    assert isinstance(items[1], int), f"expected an int port second; got {items[1]!r}"


@pytest.mark.clause("server.socket.is_server_socket")
def test_socket_is_the_bound_socket(target: TargetLike, harness: Harness) -> None:
    """server.socket is bound to server_address and is where requests arrive."""
    server = harness.make_server()
    local = server.socket.getsockname()
    assert local == server.server_address, (
        f"expected server.socket bound to {server.server_address!r}; it is bound to {local!r}"
    )
    harness.send(server)
    readable, _, _ = select.select([server.socket], [], [], harness.timeout)
    assert readable, "expected the request to arrive on server.socket"


def _reuse_flag(sock: socket.socket, option: int) -> bool:
    return bool(sock.getsockopt(socket.SOL_SOCKET, option))


@pytest.mark.clause("server.allow_reuse_address.sockopt")
@pytest.mark.parametrize("allow", [True, False])
def test_allow_reuse_address_sets_option(target: TargetLike, harness: Harness, allow: bool) -> None:
    """SO_REUSEADDR is set on the socket exactly when allow_reuse_address is true."""
    server = harness.make_server(attrs={"allow_reuse_address": allow})
    observed = _reuse_flag(server.socket, socket.SO_REUSEADDR)
    assert observed == allow, (
        f"expected SO_REUSEADDR {'set' if allow else 'unset'} with allow_reuse_address={allow}; "
        f"it is {'set' if observed else 'unset'}"
    )


@pytest.mark.clause("server.allow_reuse_port.sockopt")
@pytest.mark.parametrize("allow", [True, False])
def test_allow_reuse_port_sets_option(target: TargetLike, harness: Harness, allow: bool) -> None:
    """SO_REUSEPORT is set on the socket exactly when allow_reuse_port is true."""
    option = getattr(socket, "SO_REUSEPORT", None)
    if option is None:
        pytest.skip("this platform has no SO_REUSEPORT")
    server = harness.make_server(attrs={"allow_reuse_port": allow})
    observed = _reuse_flag(server.socket, option)
    assert observed == allow, (
        f"expected SO_REUSEPORT {'set' if allow else 'unset'} with allow_reuse_port={allow}; "
        f"it is {'set' if observed else 'unset'}"
    )


def _pending_connections(harness: Harness, server: Any, attempts: int) -> list[socket.socket]:
    """Start ``attempts`` non-blocking connects; return those that completed the handshake."""
    clients: list[socket.socket] = []
    completed: list[socket.socket] = []
    for _ in range(attempts):
        client = harness.client_socket()
        client.setblocking(False)
        result = client.connect_ex(server.server_address)
        if result == 0:
            completed.append(client)
        elif result in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            clients.append(client)
    if clients and harness.family != socket.AF_UNIX:
        # TCP handshakes complete in the kernel without accept(); wait for them.
        _, writable, _ = select.select([], clients, [], harness.timeout)
        completed += [c for c in writable if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
    return completed


@pytest.mark.clause("server.request_queue_size.listen_backlog")
def test_request_queue_size_is_the_backlog(target: TargetLike, harness: Harness) -> None:
    """request_queue_size is the listen backlog: that many clients connect before any accept."""
    server = harness.make_server(attrs={"request_queue_size": QUEUE_SIZE})
    backlog = listen_backlog(server.socket)
    if backlog is not None:
        assert backlog == QUEUE_SIZE, (
            f"expected listen backlog {QUEUE_SIZE} (request_queue_size); "
            f"the kernel reports {backlog}"
        )
    if harness.family == socket.AF_UNIX:
        # Unix connects finish or fail at once, so the queue's limit is visible too.
        # Linux admits backlog + 1 connections before refusing; allow exactly that slack.
        completed = len(_pending_connections(harness, server, QUEUE_SIZE + 3))
        assert completed >= QUEUE_SIZE, (
            f"expected {QUEUE_SIZE} clients queued before any accept; only {completed} connected"
        )
        if sys.platform.startswith("linux"):
            assert completed <= QUEUE_SIZE + 1, (
                f"expected at most {QUEUE_SIZE + 1} queued clients for a backlog of "
                f"{QUEUE_SIZE}; {completed} connected"
            )
    else:
        completed = len(_pending_connections(harness, server, QUEUE_SIZE))
        assert completed == QUEUE_SIZE, (
            f"expected {QUEUE_SIZE} clients to connect before any accept; {completed} did"
        )


@pytest.mark.clause("server.max_packet_size.honoured")
def test_max_packet_size_truncates(target: TargetLike, harness: Harness) -> None:
    """A datagram longer than max_packet_size reaches the handler cut to that size."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, attrs={"max_packet_size": 16})
    payload = bytes(range(65, 65 + 48))
    harness.exchange(server, payload)
    handled = recorder.wait_count("handle", 1, harness.timeout)
    assert handled, "expected the handler to run"
    received = str(handled[0].values[1]).encode("latin-1")
    assert received == payload[:16], (
        f"expected the first 16 bytes {payload[:16]!r} with max_packet_size=16; got {received!r}"
    )


@pytest.mark.clause("server.get_request.datagram_pair")
def test_datagram_get_request_pair(target: TargetLike, harness: Harness) -> None:
    """A datagram server's get_request() request is (datagram bytes, the server's socket)."""
    spy = GetRequestSpy(harness)
    server = harness.make_server(attrs=spy.attrs)
    harness.exchange(server, b"pair-datagram")
    results = spy.results
    assert results, "expected get_request() to be called"
    request: object = results[0][0]
    assert isinstance(request, tuple), f"expected a (data, socket) pair; got {request!r}"
    data, sock = cast("Sequence[object]", request)[:2]
    assert data == b"pair-datagram", f"expected the datagram's bytes; got {data!r}"
    assert sock is server.socket, f"expected the server's own socket; got {sock!r}"

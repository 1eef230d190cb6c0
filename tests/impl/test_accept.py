"""``TCPServer.get_request()`` accepts exactly as ``socket.accept()`` would.

The reference implementation skips ``socket.accept()``'s enum conversions for a plain
``socket.socket`` (see ``sockspec.impl.sockets._accept``); these tests compare what a
handler sees with what the stdlib's server hands over, and check that a socket with its
own ``accept()`` (an SSL socket, a patched class) still gets it called.
"""

from __future__ import annotations

import socket
import socketserver
from types import ModuleType
from typing import Any, ClassVar, Dict, Iterator, List, Optional

import pytest
from sockspec import impl

from tests.impl.helpers import printed_by_fresh_interpreter

DEADLINE = 30.0


def _seen_by_handler(
    module: ModuleType, listening_timeout: Optional[float], default_timeout: Optional[float]
) -> Dict[str, Any]:
    """What a handler of ``module``'s TCPServer sees of its request socket."""
    seen: Dict[str, Any] = {}

    class Look(module.BaseRequestHandler):  # type: ignore[name-defined,misc]
        def handle(self) -> None:
            request = self.request
            seen.update(
                kind=type(request),
                family=request.family,
                type=request.type,
                proto=request.proto,
                timeout=request.gettimeout(),
                inheritable=request.get_inheritable(),
                peer=request.getpeername(),
            )

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(default_timeout)
    try:
        with module.TCPServer(("127.0.0.1", 0), Look) as server:
            server.socket.settimeout(listening_timeout)
            with socket.create_connection(server.server_address, timeout=DEADLINE) as client:
                server.handle_request()
                seen["client"] = client.getsockname()
    finally:
        socket.setdefaulttimeout(previous)
    return seen


@pytest.mark.parametrize("listening_timeout", [None, 0.0, DEADLINE])
@pytest.mark.parametrize("default_timeout", [None, DEADLINE])
def test_the_request_socket_is_the_one_socket_accept_makes(
    listening_timeout: Optional[float], default_timeout: Optional[float]
) -> None:
    """Same class, enums, protocol, timeout (listening and default) and inheritability."""
    ours = _seen_by_handler(impl, listening_timeout, default_timeout)
    theirs = _seen_by_handler(socketserver, listening_timeout, default_timeout)
    assert ours.pop("peer") == ours.pop("client")
    assert theirs.pop("peer") == theirs.pop("client")
    assert ours == theirs
    assert type(ours["family"]) is socket.AddressFamily
    assert type(ours["type"]) is socket.SocketKind


class _CountingSocket(socket.socket):
    """A socket class with its own accept(), as an SSL socket has."""

    accepted: ClassVar[List[int]] = []

    def accept(self) -> Any:
        self.accepted.append(1)
        return super().accept()


class Quiet(impl.BaseRequestHandler):
    """Handles a request by doing nothing."""


def _serve_one(server: impl.TCPServer) -> None:
    with socket.create_connection(server.server_address, timeout=DEADLINE):
        server.handle_request()


def test_a_socket_subclass_gets_its_own_accept() -> None:
    """A listening socket of another class (an SSL socket, say) is accepted through it."""
    _CountingSocket.accepted.clear()
    with impl.TCPServer(("127.0.0.1", 0), Quiet, bind_and_activate=False) as server:
        server.socket.close()
        server.socket = _CountingSocket(server.address_family, server.socket_type)
        server.server_bind()
        server.server_activate()
        _serve_one(server)
    assert _CountingSocket.accepted == [1]


@pytest.fixture
def patched_accept() -> Iterator[List[int]]:
    """socket.socket.accept replaced for the test, as a monitoring library might."""
    calls: List[int] = []
    original = socket.socket.accept

    def accept(self: socket.socket) -> Any:
        calls.append(1)
        return original(self)

    socket.socket.accept = accept  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        socket.socket.accept = original  # type: ignore[method-assign]


def test_a_patched_socket_accept_is_called(patched_accept: List[int]) -> None:
    """Replacing socket.socket.accept reaches the server, as it would the stdlib's."""
    with impl.TCPServer(("127.0.0.1", 0), Quiet) as server:
        _serve_one(server)
    assert patched_accept == [1]


PATCHED_BEFORE_IMPORT = """
import functools, socket
calls = []
original = socket.socket.accept

@functools.wraps(original)  # a wrapper that looks like the original by name
def accept(self):
    calls.append(1)
    return original(self)

socket.socket.accept = accept
from sockspec import impl

with impl.TCPServer(("127.0.0.1", 0), impl.BaseRequestHandler) as server:
    with socket.create_connection(server.server_address, timeout=30):
        server.handle_request()
print(len(calls))
"""


def test_an_accept_patched_before_the_import_is_called() -> None:
    """A patch made before sockspec.impl is imported (gevent-style) is honoured too."""
    assert printed_by_fresh_interpreter(PATCHED_BEFORE_IMPORT) == ["1"]

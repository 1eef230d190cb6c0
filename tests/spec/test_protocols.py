"""The Protocols' shape at run time: members per edition, generics, isinstance()."""

from __future__ import annotations

import socketserver
import sys
from typing import Any, FrozenSet, Iterator, Tuple

import pytest
import typing_extensions
from sockspec import spec
from sockspec.spec import _typevars, classic, handlers, mixins, servers

CLASSIC_SERVER_MEMBERS = frozenset(
    {
        "fileno",
        "handle_request",
        "serve_forever",
        "address_family",
        "RequestHandlerClass",
        "server_address",
        "socket",
        "allow_reuse_address",
        "request_queue_size",
        "socket_type",
        "finish_request",
        "get_request",
        "handle_error",
        "process_request",
        "server_activate",
        "server_bind",
        "verify_request",
    }
)
CURRENT_ADDITIONS = frozenset(
    {
        "shutdown",
        "server_close",
        "timeout",
        "handle_timeout",
        "service_actions",
        "__enter__",
        "__exit__",
    }
)
SERVER_PROTOCOLS = [
    value
    for value in vars(servers).values()
    if isinstance(value, type) and value.__module__ == servers.__name__
]


def parameters(generic: object) -> Tuple[object, ...]:
    return tuple(getattr(generic, "__parameters__", ()))


def members(protocol: type) -> FrozenSet[str]:
    return frozenset(typing_extensions.get_protocol_members(protocol))


def test_classic_server_has_exactly_the_seventeen_members() -> None:
    """classic.BaseServer declares exactly the 17 members of Python 2.4 lib 11.16.2."""
    assert members(classic.BaseServer) == CLASSIC_SERVER_MEMBERS


def test_current_server_adds_the_python3_members() -> None:
    """The current BaseServer is the classic one plus the Python 3 members."""
    expected = CLASSIC_SERVER_MEMBERS | CURRENT_ADDITIONS
    if sys.version_info >= (3, 11):
        expected |= {"allow_reuse_port"}
    assert members(spec.BaseServer) == expected


@pytest.mark.parametrize("protocol", SERVER_PROTOCOLS, ids=lambda p: p.__name__)
def test_every_server_protocol_extends_both_editions(protocol: type) -> None:
    """Every current server Protocol derives from the classic and current BaseServer."""
    assert classic.BaseServer in protocol.__mro__
    assert servers.BaseServer in protocol.__mro__
    assert getattr(protocol, "_is_protocol", False)


def test_mixin_members() -> None:
    """The mix-in Protocols declare the documented knobs, classic threading only daemon_threads."""
    assert members(classic.ThreadingMixIn) == {"daemon_threads"}
    assert members(mixins.ThreadingMixIn) == {"daemon_threads", "block_on_close"}
    assert members(mixins.ForkingMixIn) == {"max_children", "block_on_close"}
    assert members(spec.ThreadingTCPServer) == members(spec.TCPServer) | {
        "daemon_threads",
        "block_on_close",
    }


def test_handler_members() -> None:
    """The handler Protocols declare setup/handle/finish, the three attributes and the files."""
    base = {"setup", "handle", "finish", "request", "client_address", "server"}
    assert members(handlers.BaseRequestHandler) == base
    assert members(handlers.StreamRequestHandler) == base | {"rfile", "wfile"}
    assert members(handlers.DatagramRequestHandler) == base | {"rfile", "wfile"}


def test_type_variables_default_to_any() -> None:
    """Every type variable defaults to Any, so the bare Protocol names stay easy to use."""
    for variable in (
        _typevars.RequestT,
        _typevars.AddressT,
        _typevars.RequestT_co,
        _typevars.AddressT_co,
        _typevars.ServerT_co,
    ):
        assert getattr(variable, "__default__", None) is Any


def test_handlers_take_their_server_last() -> None:
    """The handler Protocols' last type parameter is the server, covariant: handlers expose it."""
    assert parameters(handlers.BaseRequestHandler) == (
        _typevars.RequestT_co,
        _typevars.AddressT_co,
        _typevars.ServerT_co,
    )
    for protocol in (handlers.StreamRequestHandler, handlers.DatagramRequestHandler):
        assert parameters(protocol) == (_typevars.AddressT_co, _typevars.ServerT_co)
    assert _typevars.ServerT_co.__covariant__


@pytest.fixture
def tcp_server() -> Iterator[socketserver.TCPServer]:
    """A stdlib TCP server built without binding."""
    server = socketserver.TCPServer(
        ("127.0.0.1", 0), socketserver.BaseRequestHandler, bind_and_activate=False
    )
    try:
        yield server
    finally:
        server.server_close()


def test_isinstance_sees_member_names(tcp_server: socketserver.TCPServer) -> None:
    """isinstance() accepts a stdlib server and rejects an object missing members."""
    assert isinstance(tcp_server, spec.BaseServer)
    assert isinstance(tcp_server, classic.BaseServer)
    assert not isinstance(tcp_server, spec.ThreadingTCPServer)
    assert not isinstance(object(), classic.BaseServer)


def test_isinstance_cannot_see_types(tcp_server: socketserver.TCPServer) -> None:
    """isinstance() only checks names: a TCP server passes as a UDP server (use verify/mypy)."""
    udp_protocol: type = spec.UDPServer  # a plain ``type`` so the checkers let the call run
    assert isinstance(tcp_server, udp_protocol)


def test_issubclass_refuses_protocols_with_data_members() -> None:
    """issubclass() raises TypeError for the server Protocols, as the verify docs say."""
    protocol: type = spec.BaseServer  # a plain ``type`` so the checkers let the call run
    with pytest.raises(TypeError):
        issubclass(socketserver.TCPServer, protocol)

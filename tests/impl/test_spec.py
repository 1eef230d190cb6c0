"""Our classes satisfy the sockspec.spec Protocols, statically and at run time.

The functions named ``_static_*`` are checked by mypy and pyright in ``make test``
(assignments to Protocol types and ``assert_type``); the tests also run them.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import xmlrpc.server
from pathlib import Path
from typing import Any, Callable, Tuple

import pytest
from sockspec import impl, spec
from typing_extensions import assert_type

PROTOCOL_NAMES = sorted(name for name in impl.__all__ if hasattr(spec, name))


class Echo(impl.StreamRequestHandler):
    """Echoes one line."""

    def handle(self) -> None:
        self.wfile.write(self.rfile.readline())


class DatagramEcho(impl.DatagramRequestHandler):
    """Echoes one datagram."""

    def handle(self) -> None:
        self.wfile.write(self.rfile.read())


@pytest.mark.parametrize("name", PROTOCOL_NAMES)
def test_verify_finds_no_problem(name: str) -> None:
    """sockspec.spec.verify() finds nothing missing or mismatched on our concrete classes."""
    if name == "BaseServer":
        # Like the stdlib's, our BaseServer leaves the socket members to its subclasses.
        ours = {problem.member for problem in spec.verify(impl.BaseServer, spec.BaseServer)}
        stdlib = {
            problem.member for problem in spec.verify(socketserver.BaseServer, spec.BaseServer)
        }
        assert ours <= stdlib
        assert {"socket", "fileno", "server_bind"} <= ours
    else:
        assert spec.verify(getattr(impl, name), getattr(spec, name)) == []


def test_classic_edition_is_satisfied() -> None:
    """The socket servers also satisfy the Python 2.4 edition's BaseServer Protocol."""
    for name in ("TCPServer", "UDPServer", "UnixStreamServer", "ThreadingTCPServer"):
        assert spec.verify(getattr(impl, name), spec.classic.BaseServer) == []


def _static_servers(unix_dir: Path) -> list[Any]:
    tcp = impl.TCPServer(("127.0.0.1", 0), Echo)
    assert_type(tcp.get_request, Callable[[], Tuple[socket.socket, Tuple[str, int]]])
    udp = impl.UDPServer(("127.0.0.1", 0), DatagramEcho)
    assert_type(udp.get_request, Callable[[], Tuple[Tuple[bytes, socket.socket], Tuple[str, int]]])
    accepted: list[Any] = []
    as_tcp: spec.TCPServer = tcp
    as_udp: spec.UDPServer = udp
    as_classic: spec.classic.BaseServer[socket.socket, Tuple[str, int]] = tcp
    threading_tcp: spec.ThreadingTCPServer = impl.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    threading_udp: spec.ThreadingUDPServer = impl.ThreadingUDPServer(("127.0.0.1", 0), DatagramEcho)
    forking_tcp: spec.ForkingTCPServer = impl.ForkingTCPServer(("127.0.0.1", 0), Echo)
    forking_udp: spec.ForkingUDPServer = impl.ForkingUDPServer(("127.0.0.1", 0), DatagramEcho)
    unix_stream: spec.UnixStreamServer = impl.UnixStreamServer(str(unix_dir / "a"), Echo)
    unix_dgram: spec.UnixDatagramServer = impl.UnixDatagramServer(str(unix_dir / "b"), DatagramEcho)
    http_files = impl.TCPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    xmlrpc_handler = impl.TCPServer(("127.0.0.1", 0), xmlrpc.server.SimpleXMLRPCRequestHandler)
    accepted += [as_tcp, as_udp, as_classic, threading_tcp, threading_udp, forking_tcp]
    accepted += [forking_udp, unix_stream, unix_dgram, http_files, xmlrpc_handler]
    return accepted


def test_the_static_examples_construct_working_servers(unix_dir: Path) -> None:
    """The servers of the statically checked examples are real, bound servers."""
    servers = _static_servers(unix_dir)
    try:
        for server in servers:
            assert server.fileno() >= 0
            assert isinstance(server, spec.BaseServer)
    finally:
        for server in servers:
            server.server_close()

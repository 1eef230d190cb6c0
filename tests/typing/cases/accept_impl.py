"""Accepted: every sockspec.impl server and handler class satisfies its Protocol.

The servers are checked against the generic Protocols specialised at the point
of use (``StreamServer[InetAddress]``), not the named ``spec.TCPServer`` & co.
``sockspec.impl`` declares ``RequestHandlerClass: Callable[[RequestT, AddressT,
Any], Handler]`` in the class body; pyright 1.1.414 may bind such a
class-level callable like a method when it matches the class against a named
Protocol subclass, passing the server as the ``request`` argument, and then
rejects the server (depending on the order it meets the types in).  mypy
accepts both forms; the stdlib escapes because typeshed types that first
parameter as ``Any``.
"""

from __future__ import annotations

import sys

from typing_extensions import assert_type

from sockspec import impl, spec
from sockspec.spec import classic

INET = ("127.0.0.1", 0)
PATH = "/unused/path"
Handler = impl.BaseRequestHandler
Stream = spec.Socket
Datagram = spec.DatagramRequest
Inet = spec.InetAddress


def servers() -> None:
    tcp: spec.StreamServer[Inet] = impl.TCPServer(INET, impl.StreamRequestHandler, False)
    udp: spec.DatagramServer[Inet] = impl.UDPServer(INET, impl.DatagramRequestHandler, False)
    t_tcp: spec.ThreadingServer[Stream, Inet] = impl.ThreadingTCPServer(INET, Handler, False)
    t_udp: spec.ThreadingServer[Datagram, Inet] = impl.ThreadingUDPServer(INET, Handler, False)
    old: classic.BaseServer[Stream, Inet] = tcp
    plain: spec.BaseServer = t_udp
    print(udp, t_tcp, t_udp, old, plain)
    if sys.platform != "win32":
        unix_stream: spec.StreamServer[spec.UnixAddress] = impl.UnixStreamServer(PATH, Handler)
        unix_dgram: spec.DatagramServer[spec.UnixDatagramAddress] = impl.UnixDatagramServer(
            PATH, Handler
        )
        t_us: spec.ThreadingServer[Stream, spec.UnixAddress] = impl.ThreadingUnixStreamServer(
            PATH, Handler
        )
        t_ud: spec.ThreadingServer[Datagram, spec.UnixDatagramAddress] = (
            impl.ThreadingUnixDatagramServer(PATH, Handler)
        )
        f_tcp: spec.ForkingServer[Stream, Inet] = impl.ForkingTCPServer(INET, Handler)
        f_udp: spec.ForkingServer[Datagram, Inet] = impl.ForkingUDPServer(INET, Handler)
        f_us: spec.ForkingServer[Stream, spec.UnixAddress] = impl.ForkingUnixStreamServer(
            PATH, Handler
        )
        f_ud: spec.ForkingServer[Datagram, spec.UnixDatagramAddress] = (
            impl.ForkingUnixDatagramServer(PATH, Handler)
        )
        print(unix_stream, unix_dgram, t_us, t_ud, f_tcp, f_udp, f_us, f_ud)


def exact_types(tcp: impl.TCPServer, udp: impl.UDPServer) -> None:
    as_spec: spec.StreamServer[Inet] = tcp
    assert_type(as_spec.get_request(), tuple[spec.Socket, tuple[str, int]])
    assert_type(tcp.get_request()[0], spec.Socket)
    assert_type(udp.get_request()[0], tuple[bytes, spec.Socket])


def handlers() -> None:
    base: type[spec.BaseRequestHandler] = impl.BaseRequestHandler
    stream: type[spec.StreamRequestHandler] = impl.StreamRequestHandler
    dgram: type[spec.DatagramRequestHandler] = impl.DatagramRequestHandler
    print(base, stream, dgram)

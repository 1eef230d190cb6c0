"""Accepted: every sockspec.impl server and handler class satisfies its Protocol.

Freshly constructed servers are assigned to the generic Protocols specialised
at the point of use (``StreamServer[InetAddress]``) and to the named ones
(``spec.TCPServer``); existing ones too.  The one-step ``x: spec.TCPServer =
impl.TCPServer(...)`` was rejected by pyright while ``RequestHandlerClass`` was
a class-level ``Callable`` (pyright bound it like a method while inferring the
constructor's type arguments from the Protocol); as a callback Protocol it is
not bound.  zuban cannot infer a generic constructor against a generic Protocol
with a Self-returning member (a recorded deviation).
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
    named_tcp: spec.TCPServer = tcp
    named_udp: spec.UDPServer = udp
    print(named_tcp, named_udp)
    as_spec: spec.StreamServer[Inet] = tcp
    assert_type(as_spec.get_request(), tuple[spec.Socket, tuple[str, int]])
    assert_type(tcp.get_request()[0], spec.Socket)
    assert_type(udp.get_request()[0], tuple[bytes, spec.Socket])


def named_protocols(
    unix_stream: impl.UnixStreamServer,
    unix_dgram: impl.UnixDatagramServer,
    threading_tcp: impl.ThreadingTCPServer,
    forking_udp: impl.ForkingUDPServer,
) -> None:
    a: spec.UnixStreamServer = unix_stream
    b: spec.UnixDatagramServer = unix_dgram
    c: spec.ThreadingTCPServer = threading_tcp
    d: spec.ForkingUDPServer = forking_udp
    print(a, b, c, d)


def handlers() -> None:
    base: type[spec.BaseRequestHandler] = impl.BaseRequestHandler
    stream: type[spec.StreamRequestHandler] = impl.StreamRequestHandler
    dgram: type[spec.DatagramRequestHandler] = impl.DatagramRequestHandler
    print(base, stream, dgram)


def named_at_once() -> None:
    tcp: spec.TCPServer = impl.TCPServer(INET, impl.StreamRequestHandler, False)
    udp: spec.UDPServer = impl.UDPServer(INET, impl.DatagramRequestHandler, False)
    t_tcp: spec.ThreadingTCPServer = impl.ThreadingTCPServer(INET, impl.StreamRequestHandler, False)
    print(tcp, udp, t_tcp)


def handler_through_the_protocol(server: spec.StreamServer[Inet]) -> None:
    """Called through the Protocol, the handler class makes a handler of the server's types.

    A parameter rather than an assignment (pyright and ty narrow ``x: Protocol =
    impl_server`` to the implementation's own type); ``exact_types`` shows that an
    ``impl.TCPServer`` is such a server.
    """
    request, client = server.get_request()
    made = server.RequestHandlerClass(request, client, server)
    assert_type(made, spec.BaseRequestHandler[spec.Socket, tuple[str, int]])


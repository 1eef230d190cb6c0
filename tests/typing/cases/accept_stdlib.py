"""Accepted: every stdlib server and handler class satisfies its sockspec Protocol.

No line here may produce an error under either checker or target.
"""

from __future__ import annotations

import http.server
import socketserver
import sys
import wsgiref.simple_server
import xmlrpc.server
from typing import Optional, Tuple, Union

from typing_extensions import assert_type

from sockspec import spec
from sockspec.spec import classic

INET = ("127.0.0.1", 0)
PATH = "/unused/path"
Handler = socketserver.BaseRequestHandler


def servers() -> None:
    tcp: spec.TCPServer = socketserver.TCPServer(INET, Handler, bind_and_activate=False)
    udp: spec.UDPServer = socketserver.UDPServer(INET, Handler, bind_and_activate=False)
    unix_stream: spec.UnixStreamServer = socketserver.UnixStreamServer(PATH, Handler, False)
    unix_dgram: spec.UnixDatagramServer = socketserver.UnixDatagramServer(PATH, Handler, False)
    t_tcp: spec.ThreadingTCPServer = socketserver.ThreadingTCPServer(INET, Handler, False)
    t_udp: spec.ThreadingUDPServer = socketserver.ThreadingUDPServer(INET, Handler, False)
    t_us: spec.ThreadingUnixStreamServer = socketserver.ThreadingUnixStreamServer(PATH, Handler)
    t_ud: spec.ThreadingUnixDatagramServer = socketserver.ThreadingUnixDatagramServer(PATH, Handler)
    f_tcp: spec.ForkingTCPServer = socketserver.ForkingTCPServer(INET, Handler, False)
    f_udp: spec.ForkingUDPServer = socketserver.ForkingUDPServer(INET, Handler, False)
    http_server: spec.TCPServer = http.server.HTTPServer(INET, http.server.BaseHTTPRequestHandler)
    threading_http: spec.ThreadingTCPServer = http.server.ThreadingHTTPServer(
        INET, http.server.SimpleHTTPRequestHandler
    )
    xmlrpc_server: spec.TCPServer = xmlrpc.server.SimpleXMLRPCServer(INET, logRequests=False)
    wsgi: spec.TCPServer = wsgiref.simple_server.WSGIServer(
        INET, wsgiref.simple_server.WSGIRequestHandler
    )
    everything: list[spec.BaseServer] = [
        tcp, udp, unix_stream, unix_dgram, t_tcp, t_udp, t_us, t_ud, f_tcp, f_udp,
        http_server, threading_http, xmlrpc_server, wsgi,
    ]
    classic_view: list[classic.BaseServer] = list(everything)
    threading: list[spec.ThreadingMixIn] = [t_tcp, t_udp, t_us, t_ud, threading_http]
    old_threading: list[classic.ThreadingMixIn] = list(threading)
    forking: list[spec.ForkingMixIn] = [f_tcp, f_udp]
    generic_threading: spec.ThreadingServer = t_tcp
    generic_forking: spec.ForkingServer = f_udp
    print(classic_view, old_threading, forking, generic_threading, generic_forking)

    if sys.version_info >= (3, 12):
        f_us: spec.ForkingUnixStreamServer = socketserver.ForkingUnixStreamServer(PATH, Handler)
        f_ud: spec.ForkingUnixDatagramServer = socketserver.ForkingUnixDatagramServer(
            PATH, Handler
        )
        print(f_us, f_ud)


def stream_and_datagram_requests_differ(
    tcp: spec.TCPServer,
    udp: spec.UDPServer,
    unix_stream: spec.UnixStreamServer,
    unix_dgram: spec.UnixDatagramServer,
    inet6: spec.StreamServer[spec.Inet6Address],
) -> None:
    assert_type(tcp.get_request(), Tuple[spec.Socket, Tuple[str, int]])
    assert_type(udp.get_request(), Tuple[Tuple[bytes, spec.Socket], Tuple[str, int]])
    assert_type(unix_stream.get_request(), Tuple[spec.Socket, Union[str, bytes]])
    assert_type(
        unix_dgram.get_request(),
        Tuple[Tuple[bytes, spec.Socket], Optional[Union[str, bytes]]],
    )
    assert_type(inet6.get_request(), Tuple[spec.Socket, Tuple[str, int, int, int]])
    request, client = tcp.get_request()
    assert_type(tcp.verify_request(request, client), bool)
    tcp.finish_request(request, client)
    data, reply_socket = udp.get_request()[0]
    assert_type(data, bytes)
    assert_type(reply_socket, spec.Socket)
    handler = tcp.RequestHandlerClass(request, client, tcp)
    assert_type(handler, spec.BaseRequestHandler[spec.Socket, Tuple[str, int]])
    assert_type(handler.request, spec.Socket)
    assert_type(handler.client_address, Tuple[str, int])


def plain_names_stay_easy(server: spec.BaseServer, old: classic.BaseServer) -> None:
    with server as entered:
        assert_type(entered, spec.BaseServer)
        entered.serve_forever(poll_interval=0.1)
    old.serve_forever()
    assert_type(server.fileno(), int)
    assert_type(server.timeout, Optional[float])
    assert_type(server.socket, spec.Socket)
    if sys.version_info >= (3, 11):
        assert_type(server.allow_reuse_port, bool)


def handlers() -> None:
    base: type[spec.BaseRequestHandler] = socketserver.BaseRequestHandler
    stream: type[spec.StreamRequestHandler] = socketserver.StreamRequestHandler
    dgram: type[spec.DatagramRequestHandler] = socketserver.DatagramRequestHandler
    web: type[spec.StreamRequestHandler] = http.server.BaseHTTPRequestHandler
    print(base, stream, dgram, web)


def current_is_classic(server: spec.BaseServer, tcp: spec.TCPServer) -> classic.BaseServer:
    also: classic.BaseServer = tcp
    print(also)
    return server

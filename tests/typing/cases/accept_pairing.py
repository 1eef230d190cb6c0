"""Accepted: handlers typed with the server they are written for.

``CountingHandler`` is written for ``CountingServer``: ``self.server`` is a
``CountingServer`` without a cast or an ``isinstance`` check, and the handler
class is accepted by ``CountingServer`` and its subclasses.  Plain handlers
(no server parameter) are accepted by every server, as before, and so are the
stdlib's handler classes.  Downstream code states the same pairing with the
Protocols: ``spec.StreamRequestHandler[InetAddress, CountingServer]``.
"""

from __future__ import annotations

import http.server
import socketserver
from typing import Tuple

from typing_extensions import assert_type

from sockspec import impl, spec
from sockspec.spec import InetAddress

INET = ("127.0.0.1", 0)


class CountingServer(impl.TCPServer):
    """A TCP server that counts the requests its handlers have served."""

    served: int = 0


class CountingHandler(impl.StreamRequestHandler[InetAddress, CountingServer]):
    """Replies with the number of requests served so far, this one included."""

    def handle(self) -> None:
        self.server.served += 1
        self.wfile.write(b"%d\n" % self.server.served)


class LoudCountingServer(CountingServer):
    """A subclass: handlers written for CountingServer work here too."""

    verbose: bool = True


class PlainHandler(impl.StreamRequestHandler):
    """No server parameter: any server will do, and only what every server has is used."""

    def handle(self) -> None:
        self.wfile.write(repr(self.server.server_address).encode())


class DaemonAwareHandler(impl.StreamRequestHandler[InetAddress, impl.ThreadingTCPServer]):
    """Written for the threading server: reads its mix-in's flags."""

    def handle(self) -> None:
        assert_type(self.server.daemon_threads, bool)


def pairing_in_the_implementation() -> None:
    counting = CountingServer(INET, CountingHandler, bind_and_activate=False)
    loud = LoudCountingServer(INET, CountingHandler, False)
    plain_counting = CountingServer(INET, PlainHandler, False)
    plain_tcp = impl.TCPServer(INET, PlainHandler, False)
    threading_plain = impl.ThreadingTCPServer(INET, PlainHandler, False)
    threading_aware = impl.ThreadingTCPServer(INET, DaemonAwareHandler, False)
    stdlib_handler = impl.TCPServer(INET, http.server.SimpleHTTPRequestHandler, False)
    counting.RequestHandlerClass = CountingHandler
    loud.RequestHandlerClass = PlainHandler
    assert_type(counting.get_request(), Tuple[spec.Socket, Tuple[str, int]])
    assert_type(plain_tcp.get_request(), Tuple[spec.Socket, Tuple[str, int]])
    print(plain_counting, threading_plain, threading_aware, stdlib_handler)


def handler_attributes(handler: CountingHandler, plain: PlainHandler) -> None:
    assert_type(handler.server, CountingServer)
    assert_type(handler.server.served, int)
    assert_type(handler.client_address, Tuple[str, int])
    assert_type(plain.server.timeout, "float | None")


def served_so_far(handler: spec.StreamRequestHandler[InetAddress, CountingServer]) -> int:
    """Downstream code: any stream handler whose server is a CountingServer."""
    return handler.server.served


def daemonic(handler: spec.StreamRequestHandler[InetAddress, spec.ThreadingServer]) -> bool:
    """Downstream code: any stream handler whose server uses the threading mix-in."""
    return handler.server.daemon_threads


def pairing_in_the_protocols(handler: CountingHandler, aware: DaemonAwareHandler) -> None:
    print(served_so_far(handler), daemonic(aware))
    counting: type[spec.StreamRequestHandler[InetAddress, CountingServer]] = CountingHandler
    threading: type[spec.StreamRequestHandler[InetAddress, spec.ThreadingServer]] = (
        DaemonAwareHandler
    )
    stdlib: type[spec.StreamRequestHandler] = socketserver.StreamRequestHandler
    any_server: type[spec.BaseRequestHandler[spec.Socket, InetAddress]] = PlainHandler
    print(counting, threading, stdlib, any_server)

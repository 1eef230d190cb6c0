"""Downstream code typed against the sockspec Protocols instead of concrete classes.

Each function works with any conforming server: the stdlib's, sockspec.impl's,
or a hand-written one.  The calls at the end check that with both checkers.
"""

from __future__ import annotations

import selectors
import socket
import socketserver
import threading
import time
from contextlib import contextmanager
from typing import Callable, Generator, List, Tuple, TypeVar

from sockspec import impl, spec

ServerT = TypeVar("ServerT", bound=spec.BaseServer)


@contextmanager
def serving(
    server: ServerT, *, poll_interval: float = 0.05
) -> Generator[ServerT, None, None]:
    """Run ``serve_forever()`` in a thread for the duration of a ``with`` block."""
    worker = threading.Thread(target=server.serve_forever, args=(poll_interval,), daemon=True)
    worker.start()
    try:
        yield server
    finally:
        server.shutdown()
        worker.join()
        server.server_close()


def serve_until(server: spec.BaseServer, deadline: float) -> int:
    """Handle requests one at a time until ``deadline`` (a ``time.monotonic()`` value)."""
    handled = 0
    server.timeout = 0.1
    while time.monotonic() < deadline:
        server.handle_request()
        handled += 1
    return handled


def serve_many(servers: List[spec.BaseServer], rounds: int) -> None:
    """Multiplex several servers in one thread through their ``fileno()``."""
    with selectors.DefaultSelector() as selector:
        for server in servers:
            selector.register(server.fileno(), selectors.EVENT_READ, server)
        for _ in range(rounds):
            for key, _events in selector.select(timeout=0.1):
                ready: spec.BaseServer = key.data
                ready.handle_request()


def connect_to(server: spec.BaseServer) -> socket.socket:
    """A client socket connected to wherever ``server`` listens, whatever its family."""
    client = socket.socket(server.address_family, server.socket_type)
    client.connect(server.server_address)
    return client


def allow_only_loopback(server: spec.TCPServer) -> Callable[[spec.Socket, spec.InetAddress], bool]:
    """A ``verify_request`` replacement that refuses non-loopback clients."""

    def verify(request: spec.Socket, client_address: spec.InetAddress) -> bool:
        host, _port = client_address
        return host == "127.0.0.1" and server.verify_request(request, client_address)

    return verify


def echo_once(server: spec.StreamServer[spec.InetAddress]) -> Tuple[str, int]:
    """Accept one connection by hand and run the server's own pipeline on it."""
    request, client_address = server.get_request()
    if server.verify_request(request, client_address):
        server.process_request(request, client_address)
    return client_address


def reply_to_datagram(server: spec.UDPServer) -> bytes:
    """Receive one datagram and answer it through the server's socket."""
    (data, reply_socket), client_address = server.get_request()
    reply_socket.sendto(data.upper(), client_address)
    return data


def make_threads_daemonic(server: spec.ThreadingServer) -> None:
    """Let the process exit without waiting for request threads."""
    server.daemon_threads = True
    server.block_on_close = False


def examples() -> None:
    """The helpers accept stdlib and sockspec.impl servers alike."""
    stdlib = socketserver.ThreadingTCPServer(("127.0.0.1", 0), socketserver.StreamRequestHandler)
    ours = impl.ThreadingTCPServer(("127.0.0.1", 0), impl.StreamRequestHandler)
    udp = socketserver.UDPServer(("127.0.0.1", 0), socketserver.DatagramRequestHandler)
    with serving(stdlib) as running:
        connect_to(running).close()
    with serving(ours):
        connect_to(ours).close()
    serve_until(udp, time.monotonic() + 0.2)
    serve_many([stdlib, ours, udp], rounds=1)
    allow_only_loopback(stdlib)
    echo_once(stdlib)
    echo_once(ours)
    reply_to_datagram(udp)
    make_threads_daemonic(stdlib)
    make_threads_daemonic(ours)

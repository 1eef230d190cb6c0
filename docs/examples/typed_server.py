"""Annotating server code with sockspec's Protocols instead of concrete classes."""

from __future__ import annotations

import socket
import socketserver

from sockspec.spec import InetAddress, StreamServer, TCPServer, classic, verify


def accept_one(server: StreamServer[InetAddress]) -> InetAddress:
    """The generic Protocol pins the types: a socket request, a (host, port) client."""
    request, client_address = server.get_request()
    request.close()
    return client_address


def stop(server: TCPServer) -> None:
    """Any server keeping the Python 3 promises for TCP will do, stdlib or not."""
    server.server_close()


def serve_one(server: classic.BaseServer) -> None:
    """Code written against the 2.4 text may only use what 2.4 documented."""
    server.handle_request()  # server.shutdown() would be a type error here


with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as server:
    client = socket.create_connection(("127.0.0.1", server.server_address[1]))
    print("accepted a client from", accept_one(server))
    client.close()
    print("problems found by verify():", verify(server, TCPServer))
    stop(server)

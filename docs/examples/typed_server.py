"""Server code annotated with sockspec's Protocols, not concrete classes."""

from __future__ import annotations

import socket
import socketserver

from sockspec.spec import InetAddress, StreamServer, TCPServer, classic, verify


def accept_one(server: StreamServer[InetAddress]) -> InetAddress:
    """The generic Protocol pins the types: socket in, (host, port) out."""
    request, client_address = server.get_request()
    request.close()
    return client_address


def stop(server: TCPServer) -> None:
    """Any server keeping the Python 3 promises for TCP will do."""
    server.server_close()


def serve_one(server: classic.BaseServer) -> None:
    """Code written against the 2.4 text may use only what 2.4 promised."""
    server.handle_request()  # server.shutdown() would be a type error


Handler = socketserver.BaseRequestHandler
with socketserver.TCPServer(("127.0.0.1", 0), Handler) as server:
    port = server.server_address[1]
    client = socket.create_connection(("127.0.0.1", port))
    print("accepted a client from", accept_one(server))
    client.close()
    print("verify() found:", verify(server, TCPServer))
    stop(server)

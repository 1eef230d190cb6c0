"""Shared by the mutants that give a server a socket of the wrong family or type."""

from __future__ import annotations

import socket
import socketserver


def rebind_on(
    server: socketserver.TCPServer, replacement: socket.socket, bind_and_activate: bool
) -> None:
    """Give ``server`` (built with bind_and_activate=False) ``replacement``, then bind it.

    Like the stdlib constructor, a failing bind or activate closes the server before the
    error propagates, so a mutant never leaks its socket.
    """
    server.socket.close()
    server.socket = replacement
    if bind_and_activate:
        try:
            server.server_bind()
            server.server_activate()
        except BaseException:
            server.server_close()
            raise

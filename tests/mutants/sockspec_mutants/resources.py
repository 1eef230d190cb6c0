"""Mutants that leave resources behind: descriptors and request sockets."""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
from typing import Any

#: Descriptors a mutant leaked on purpose.
LEAKED_DESCRIPTORS: list[int] = []


class CloseLeavesDuplicate(socketserver.TCPServer):
    """Keeps a duplicate descriptor of its listening socket open after server_close."""

    def server_bind(self) -> None:
        super().server_bind()
        LEAKED_DESCRIPTORS.append(os.dup(self.socket.fileno()))


class ShutsDownButNeverCloses(socketserver.TCPServer):
    """Shuts a finished request down for writing, so the client sees EOF, but never closes it."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._kept: list[socket.socket] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def shutdown_request(self, request: Any) -> None:
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
        self._kept.append(request)

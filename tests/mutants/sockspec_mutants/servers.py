"""Mutants of TCPServer: socket set-up, the per-request hooks and clean-up."""

from __future__ import annotations

import os
import socket
import socketserver
from typing import Any, Optional


class FilenoIsADuplicate(socketserver.TCPServer):
    """fileno returns a duplicate descriptor instead of the listening socket's own."""

    _duplicate: Optional[int] = None

    def fileno(self) -> int:
        if self._duplicate is None:
            self._duplicate = os.dup(self.socket.fileno())
        return self._duplicate

    def server_close(self) -> None:
        super().server_close()
        if self._duplicate is not None:
            os.close(self._duplicate)
            self._duplicate = None


class FilenoNeverReady(socketserver.TCPServer):
    """fileno returns a pipe that never becomes readable, so select on it never wakes."""

    _pipe: Optional[tuple[int, int]] = None

    def fileno(self) -> int:
        if self._pipe is None:
            self._pipe = os.pipe()
        return self._pipe[0]

    def server_close(self) -> None:
        super().server_close()
        if self._pipe is not None:
            for descriptor in self._pipe:
                os.close(descriptor)
            self._pipe = None


class KeepsRequestedAddress(socketserver.TCPServer):
    """server_address keeps port 0 after binding instead of the real port."""

    def server_bind(self) -> None:
        if self.allow_reuse_address:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if getattr(self, "allow_reuse_port", False):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.socket.bind(self.server_address)


class IgnoresAllowReuseAddress(socketserver.TCPServer):
    """server_bind never sets SO_REUSEADDR, whatever allow_reuse_address says."""

    def server_bind(self) -> None:
        if getattr(self, "allow_reuse_port", False):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()


class IgnoresAllowReusePort(socketserver.TCPServer):
    """server_bind never sets SO_REUSEPORT, whatever allow_reuse_port says."""

    def server_bind(self) -> None:
        if self.allow_reuse_address:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()


class IgnoresRequestQueueSize(socketserver.TCPServer):
    """server_activate listens with a backlog of 0 instead of request_queue_size."""

    def server_activate(self) -> None:
        self.socket.listen(0)


class BindsEagerly(socketserver.TCPServer):
    """Binds and listens in the constructor even when bind_and_activate is false."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, True)


class GetRequestLosesAddress(socketserver.TCPServer):
    """get_request returns the connection with None in place of the client address."""

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, _ = self.socket.accept()
        return connection, None


class HandlerGetsNoServer(socketserver.TCPServer):
    """finish_request passes None instead of the server to RequestHandlerClass."""

    def finish_request(self, request: Any, client_address: Any) -> None:
        handler_class: Any = self.RequestHandlerClass
        handler_class(request, client_address, None)


class KeepsFinishedRequestsOpen(socketserver.TCPServer):
    """A finished request's connection stays open (no EOF for the client) until server_close."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._kept: list[socket.socket] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def shutdown_request(self, request: Any) -> None:
        self._kept.append(request)

    def server_close(self) -> None:
        super().server_close()
        for connection in self._kept:
            connection.close()
        self._kept.clear()


class CloseKeepsSocket(socketserver.TCPServer):
    """server_close leaves the listening socket open."""

    def server_close(self) -> None:
        return None


class ExitDoesNotClose(socketserver.TCPServer):
    """Leaving the with block does not call server_close."""

    def __exit__(self, *args: object) -> None:
        return None

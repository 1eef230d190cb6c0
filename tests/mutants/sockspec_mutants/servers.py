"""Mutants of TCPServer: socket set-up, the per-request hooks and clean-up."""

from __future__ import annotations

import os
import socket
import socketserver
import sys
import traceback
from typing import Any, Optional, cast

from ._sockets import rebind_on
from .creation import TCPServerOnIPv6Socket


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


class CloseWaitsForALoop(socketserver.TCPServer):
    """server_close calls shutdown first, which waits for a loop that may never have run."""

    def server_close(self) -> None:
        self.shutdown()
        super().server_close()


class ExitDoesNotClose(socketserver.TCPServer):
    """Leaving the with block does not call server_close."""

    def __exit__(self, *args: object) -> None:
        return None


class ServiceActionsReturnsValue(socketserver.TCPServer):
    """service_actions returns a value instead of None."""

    def service_actions(self) -> None:
        return True  # type: ignore[return-value]


class HandleTimeoutReturnsValue(socketserver.TCPServer):
    """handle_timeout returns a value instead of None."""

    def handle_timeout(self) -> None:
        return True  # type: ignore[return-value]


class EnterReturnsSocket(socketserver.TCPServer):
    """Entering a with block gives the listening socket instead of the server."""

    def __enter__(self) -> Any:
        return self.socket


class FamilyIsNotAddressFamily(TCPServerOnIPv6Socket):
    """address_family says AF_INET but the socket is AF_INET6."""


class IgnoresInet6AddressFamily(socketserver.TCPServer):
    """A subclass asking for AF_INET6 still gets an AF_INET socket, so ::1 cannot be bound."""

    address_family = socket.AF_INET6

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        rebind_on(self, socket.socket(socket.AF_INET, self.socket_type), bind_and_activate)


class ReusesHandlerInstance(socketserver.TCPServer):
    """Serves every request with the same handler instance, re-initialised each time."""

    _handler: Any = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        handler_class: Any = self.RequestHandlerClass
        if self._handler is None:
            self._handler = handler_class(request, client_address, self)
        else:
            self._handler.__init__(request, client_address, self)


class AddressIsAList(socketserver.TCPServer):
    """server_address is a list [host, port] instead of a tuple."""

    def server_bind(self) -> None:
        super().server_bind()
        self.server_address = cast("Any", list(self.socket.getsockname()))


class SocketAttributeIsADecoy(socketserver.TCPServer):
    """server.socket is an unbound socket; requests arrive on another, hidden one."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self._listener = self.socket
        self.socket = socket.socket(self.address_family, self.socket_type)

    def fileno(self) -> int:
        return self._listener.fileno()

    def get_request(self) -> tuple[socket.socket, Any]:
        return self._listener.accept()

    def server_close(self) -> None:
        super().server_close()
        self._listener.close()


class HandleErrorPrintsToStdout(socketserver.TCPServer):
    """handle_error reports the failed request on standard output, as Python 2.4 did."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        print("-" * 40)
        print("Exception while processing a request from", client_address)
        traceback.print_exc(file=sys.stdout)
        print("-" * 40)


class BypassesFinishRequest(socketserver.TCPServer):
    """process_request builds the handler itself instead of calling finish_request."""

    def process_request(self, request: Any, client_address: Any) -> None:
        handler_class: Any = self.RequestHandlerClass
        handler_class(request, client_address, self)
        self.shutdown_request(request)


class ListensInServerBind(socketserver.TCPServer):
    """server_bind already listens, and server_activate does nothing."""

    def server_bind(self) -> None:
        super().server_bind()
        self.socket.listen(self.request_queue_size)

    def server_activate(self) -> None:
        return None


class ActivatesTwice(socketserver.TCPServer):
    """The constructor calls server_activate twice."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        if bind_and_activate:
            self.server_activate()


class BindsWithoutServerBind(socketserver.TCPServer):
    """The constructor binds the socket itself, so an overriding server_bind is never called."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        if bind_and_activate:
            try:
                socketserver.TCPServer.server_bind(self)
                self.server_activate()
            except BaseException:
                self.server_close()
                raise


class RejectsEveryOtherRequest(socketserver.TCPServer):
    """The default verify_request returns False on every other call, starting with the first."""

    _calls = 0

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self._calls += 1
        return self._calls % 2 == 0

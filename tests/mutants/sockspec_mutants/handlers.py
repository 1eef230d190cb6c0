"""Mutants of the request handler classes."""

from __future__ import annotations

import io
import socket
import socketserver
from typing import Any, cast


class FinishBeforeHandle(socketserver.BaseRequestHandler):
    """Calls setup, then finish, then handle."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        self.finish()
        self.handle()


class SkipsFinishOnError(socketserver.BaseRequestHandler):
    """Does not call finish when handle raises."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        self.handle()
        self.finish()


class EmptyRfile(socketserver.StreamRequestHandler):
    """rfile reads nothing: it is an empty buffer instead of the connection."""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = io.BytesIO()


class DiscardingWfile(socketserver.StreamRequestHandler):
    """What the handler writes to wfile never reaches the client."""

    def setup(self) -> None:
        super().setup()
        self.wfile.close()
        self.wfile = io.BytesIO()


class BufferedWfile(socketserver.StreamRequestHandler):
    """wfile is buffered although wbufsize is 0: writes reach the client when finish() flushes."""

    def setup(self) -> None:
        super().setup()
        self.wfile = self.connection.makefile("wb", -1)


class NagleOffByDefault(socketserver.StreamRequestHandler):
    """setup() sets TCP_NODELAY although disable_nagle_algorithm is false."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)


class DatagramReplyDropped(socketserver.DatagramRequestHandler):
    """finish never sends what the handler wrote to wfile."""

    def finish(self) -> None:
        return None


class OneSharedInstance(socketserver.BaseRequestHandler):
    """Every request is served by the same handler instance."""

    _shared: Any = None

    def __new__(cls, request: Any, client_address: Any, server: Any) -> Any:
        if cls._shared is None or type(cls._shared) is not cls:
            cls._shared = super().__new__(cls)
        return cls._shared


class AttributesAfterSetup(socketserver.BaseRequestHandler):
    """Sets request, client_address and server only after setup() has run."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.setup()
        self.request = request
        self.client_address = client_address
        self.server = server
        try:
            self.handle()
        finally:
            self.finish()


class ClientAddressAsText(socketserver.BaseRequestHandler):
    """client_address is the text of the address instead of what get_request returned."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        super().__init__(request, str(client_address), server)


class StreamRequestInATuple(socketserver.BaseRequestHandler):
    """On a stream server, request is a 1-tuple holding the socket instead of the socket."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        wrapped: Any = (request,)
        super().__init__(wrapped, client_address, server)


class DatagramRequestBytesOnly(socketserver.BaseRequestHandler):
    """On a datagram server, request is the bytes alone, without the socket to reply through."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        pair: tuple[bytes, socket.socket] = request
        data: Any = pair[0]
        super().__init__(data, client_address, server)


class AltBaseRequestHandler:
    """A request handler base written without the stdlib's, following the docs; a control."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        try:
            self.handle()
        finally:
            self.finish()

    def setup(self) -> None:
        """Prepare for the request; the base does nothing."""

    def handle(self) -> None:
        """Serve the request; the base does nothing."""

    def finish(self) -> None:
        """Clean up after the request; the base does nothing."""


class SetupReturnsValue(AltBaseRequestHandler):
    """setup() returns a value instead of None."""

    def setup(self) -> None:
        return True  # type: ignore[return-value]


class HandleWritesToClient(AltBaseRequestHandler):
    """The base handle() sends bytes to a stream client instead of doing nothing."""

    def handle(self) -> None:
        if isinstance(self.request, socket.socket):
            self.request.sendall(b"unexpected\n")


class FinishReturnsValue(AltBaseRequestHandler):
    """finish() returns a value instead of None."""

    def finish(self) -> None:
        return True  # type: ignore[return-value]


class FinishAfterFailedSetup(socketserver.BaseRequestHandler):
    """Runs finish() even when setup() raised."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        try:
            self.setup()
            self.handle()
        finally:
            self.finish()


class RawRfile(socketserver.StreamRequestHandler):
    """rfile is an unbuffered raw socket file, without read1 and the buffered interface."""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = self.connection.makefile("rb", buffering=0)


class _WriteReturnsNothing(io.BufferedIOBase):
    """A socket writer whose write() does not say how many bytes it accepted."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection

    def writable(self) -> bool:
        return True

    def write(self, data: Any, /) -> int:
        self._connection.sendall(data)
        return cast("int", None)


class WfileWriteReturnsNone(socketserver.StreamRequestHandler):
    """wfile.write returns None instead of the number of bytes written."""

    def setup(self) -> None:
        super().setup()
        self.wfile.close()
        self.wfile = _WriteReturnsNothing(self.connection)


class DatagramRfileLosesFirstByte(socketserver.DatagramRequestHandler):
    """rfile starts at the datagram's second byte."""

    def setup(self) -> None:
        super().setup()
        self.rfile = io.BytesIO(self.packet[1:])

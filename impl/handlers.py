"""Request handlers: ``BaseRequestHandler`` and its stream and datagram flavours.

Python 3.13 socketserver docs, "Request Handler Objects"; Python 2.4 lib
11.16.3. A handler is instantiated once per request; its constructor runs
``setup()``, ``handle()`` and, even when ``handle()`` raises, ``finish()``.
"""

from __future__ import annotations

import socket
from io import BufferedIOBase, BytesIO
from socket import socket as _Socket
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Optional

from ._types import AddressT, DatagramRequest, RequestT, ServerT

if TYPE_CHECKING:
    from typing_extensions import Buffer

__all__ = ["BaseRequestHandler", "DatagramRequestHandler", "ServerT", "StreamRequestHandler"]


class BaseRequestHandler(Generic[RequestT, AddressT, ServerT]):
    """Handles one request; subclasses override ``handle()`` (and maybe setup/finish).

    The third type parameter is the server the handler is written for, so
    ``class Counting(BaseRequestHandler[socket, InetAddress, CountingServer])``
    reads ``self.server.count`` without a cast, and ``OtherServer(address,
    Counting)`` is a type error.
    """

    #: The request: a connected socket (stream) or ``(data, server socket)`` (datagram).
    request: RequestT
    #: The client's address.
    client_address: AddressT
    #: The server that received the request.
    server: ServerT

    def __init__(self, request: RequestT, client_address: AddressT, server: ServerT) -> None:
        """Store the request, the client address and the server, then run the handler."""
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        try:
            self.handle()
        finally:
            self.finish()

    def setup(self) -> None:
        """Prepare for ``handle()``; does nothing here."""

    def handle(self) -> None:
        """Serve the request; does nothing here."""

    def finish(self) -> None:
        """Clean up after ``handle()``, even if it raised; does nothing here."""


class _SocketWriter(BufferedIOBase):
    """A binary writer that sends everything at once: no buffer, so nothing to flush."""

    def __init__(self, connection: socket.socket) -> None:
        # No super().__init__(): BufferedIOBase has none of its own (object's does nothing),
        # and in a forked child the super object and its lookups cost page faults.
        self._connection = connection

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer, /) -> int:
        self._connection.sendall(data)
        if type(data) is bytes:
            return len(data)
        with memoryview(data) as view:
            return view.nbytes

    def fileno(self) -> int:
        return self._connection.fileno()


class StreamRequestHandler(BaseRequestHandler[socket.socket, AddressT, ServerT]):
    """A handler for stream servers with ``rfile``/``wfile`` file objects on the connection."""

    #: Buffer size of ``rfile`` (-1: the default size; 0: unbuffered).
    rbufsize: ClassVar[int] = -1
    #: Buffer size of ``wfile``; 0 makes ``wfile`` send each write at once.
    wbufsize: ClassVar[int] = 0
    #: A timeout for the connection's operations, in seconds; None leaves it blocking.
    timeout: ClassVar[Optional[float]] = None
    #: Whether to set TCP_NODELAY on the connection (worth it only when ``wbufsize`` != 0).
    disable_nagle_algorithm: ClassVar[bool] = False
    #: The connected socket (the same object as ``request``).
    connection: Any
    #: Reads the request from the connection.
    rfile: BufferedIOBase
    #: Writes the reply to the connection.
    wfile: BufferedIOBase

    def setup(self) -> None:
        """Apply the timeout and Nagle options and create ``rfile`` and ``wfile``."""
        connection: Any = self.request
        self.connection = connection
        if self.timeout is not None:
            connection.settimeout(self.timeout)
        if self.disable_nagle_algorithm:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        self.rfile = connection.makefile("rb", self.rbufsize)
        if self.wbufsize == 0:
            self.wfile = _SocketWriter(connection)
        else:
            self.wfile = connection.makefile("wb", self.wbufsize)

    def finish(self) -> None:
        """Flush ``wfile`` (ignoring a connection that broke meanwhile), then close both files."""
        if not self.wfile.closed:
            try:  # noqa: SIM105 -- a context manager per request costs more than try/except
                self.wfile.flush()
            except OSError:
                pass  # e.g. the peer reset the connection: nothing left to deliver
        self.wfile.close()
        self.rfile.close()


class DatagramRequestHandler(BaseRequestHandler[DatagramRequest, AddressT, ServerT]):
    """A handler for datagram servers: ``rfile`` holds the datagram, ``wfile`` the reply."""

    #: The datagram received.
    packet: bytes
    #: The server's socket, on which the reply is sent.
    socket: _Socket
    #: Reads the datagram.
    rfile: BufferedIOBase
    #: Collects the reply, sent as one datagram by ``finish()``.
    wfile: BufferedIOBase

    def setup(self) -> None:
        """Split the request and create the in-memory ``rfile`` and ``wfile``."""
        self.packet, self.socket = self.request
        self.rfile = BytesIO(self.packet)
        self.wfile = BytesIO()

    def finish(self) -> None:
        """Send what was written to ``wfile`` back to the client as one datagram."""
        reply: Any = self.wfile  # a BytesIO unless handle() replaced it
        address: Any = self.client_address
        self.socket.sendto(reply.getvalue(), address)

"""Request handler Protocols: what a server may rely on in the handlers it makes.

Both editions document the same handler interface: ``setup()``, ``handle()``
and ``finish()``, the ``request``, ``client_address`` and ``server``
attributes available while handling (Python 2.4 lib 11.16.3; Python 3.13
socketserver docs, Request Handler Objects), and the ``rfile``/``wfile`` pair
of the stream and datagram handler subclasses.

Handlers are generic and covariant in the request and address types and in
the server they are written for, because they only expose them:
``StreamRequestHandler[InetAddress, ThreadingServer]`` is a stream handler
whose ``server`` is a threading server.  The server defaults to ``Any``: the
stdlib declares it as its own ``socketserver.BaseServer`` class, which lacks
documented members (``socket``, ``fileno``...), so no server Protocol fits it.
"""

from __future__ import annotations

from io import BufferedIOBase

from typing_extensions import Protocol, runtime_checkable

from ._typevars import AddressT_co, RequestT_co, ServerT_co
from .addresses import DatagramRequest, StreamRequest

__all__ = ["BaseRequestHandler", "DatagramRequestHandler", "StreamRequestHandler"]


@runtime_checkable
class BaseRequestHandler(Protocol[RequestT_co, AddressT_co, ServerT_co]):
    """A request handler: one instance per request, set up, run and finished."""

    @property
    def request(self) -> RequestT_co:
        """The request being handled: a socket (stream) or a ``(data, socket)`` pair (datagram).

        Clauses: handler.request.declared, handler.request.stream_socket
        """
        ...

    @property
    def client_address(self) -> AddressT_co:
        """The client address that ``get_request()`` returned with the request.

        Clauses: handler.client_address.declared, handler.client_address.from_get_request
        """
        ...

    @property
    def server(self) -> ServerT_co:
        """The server that created this handler, of the type the handler is written for.

        ``Any`` unless given (``BaseRequestHandler[Socket, InetAddress,
        CountingServer]``), so that ``handle()`` can use the server's members
        without casts: the stdlib handler declares it as its own ``BaseServer``
        class, which no server Protocol can describe (it lacks ``socket``, ``fileno``...).

        Clauses: handler.server.declared, handler.server.typed
        """
        ...

    def setup(self) -> None:
        """Prepare for ``handle()``; runs first.

        Clauses: handler.setup.declared, handler.order.setup_handle_finish
        """
        ...

    def handle(self) -> None:
        """Do the work the request asks for.

        Clauses: handler.handle.declared, handler.order.setup_handle_finish
        """
        ...

    def finish(self) -> None:
        """Clean up after ``handle()``; skipped when ``setup()`` raised.

        Clauses: handler.finish.declared, handler.finish.skipped_if_setup_raises
        """
        ...


@runtime_checkable
class StreamRequestHandler(
    BaseRequestHandler[StreamRequest, AddressT_co, ServerT_co], Protocol[AddressT_co, ServerT_co]
):
    """A stream handler: the connection wrapped as a readable and a writable file."""

    @property
    def rfile(self) -> BufferedIOBase:
        """A binary file reading what the client sends.

        Clauses: stream_handler.rfile.declared, stream_handler.rfile.readable
        """
        ...

    @property
    def wfile(self) -> BufferedIOBase:
        """A binary file whose writes go to the client.

        Clauses: stream_handler.wfile.declared, stream_handler.wfile.writable
        """
        ...


@runtime_checkable
class DatagramRequestHandler(
    BaseRequestHandler[DatagramRequest, AddressT_co, ServerT_co], Protocol[AddressT_co, ServerT_co]
):
    """A datagram handler: the packet as a readable file, the reply as a writable one."""

    @property
    def rfile(self) -> BufferedIOBase:
        """A binary file holding the received datagram.

        Clauses: datagram_handler.rfile.declared, datagram_handler.rfile.readable
        """
        ...

    @property
    def wfile(self) -> BufferedIOBase:
        """A binary file collecting the reply, sent to the client after ``finish()``.

        Clauses: datagram_handler.wfile.declared, datagram_handler.reply_through_wfile
        """
        ...

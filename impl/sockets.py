"""Socket servers: ``TCPServer``, ``UDPServer`` and their AF_UNIX variants.

As in the stdlib, ``UDPServer`` derives from ``TCPServer`` and the Unix servers
from their IP counterparts, changing only ``address_family`` (Python 3.13
socketserver docs, "Server Creation Notes"; Python 2.4 lib 11.16).

Better than the stdlib where the docs leave room:

* No socket stays open when ``server_bind()`` or ``server_activate()`` fails in
  the constructor, even if an overriding ``server_close()`` forgets the socket
  or raises; ``server_close()`` may be called any number of times.
* A ``server_address`` of the wrong shape for ``address_family`` fails in the
  constructor with a ``TypeError`` that names the server class and the
  expected shape (checked by ``server_bind()``, so overrides that bind
  differently are free to use other addresses).
* ``allow_reuse_port`` is honoured on every Python version, not only 3.11+.
* A handler may fork in ``handle()`` and let the child answer (the Server
  Creation Notes' explicit fork): when the handling thread forked, the parent
  only closes its own descriptor instead of half-closing the connection. Every
  other connection is half-closed first, as in the stdlib (see ``_forks``).
"""

from __future__ import annotations

import _socket
import contextlib
import socket
from socket import AF_INET, SOCK_DGRAM, SOCK_STREAM
from socket import socket as _Socket
from typing import TYPE_CHECKING, Any, ClassVar, Tuple, cast

from . import _forks
from ._addresses import check_address
from ._forks import forked_since_request_began
from ._types import (
    DatagramRequest,
    HandlerClass,
    InetAddressT,
    ServerAddress,
    StreamRequestT,
    UnixAddress,
    UnixDatagramAddress,
)

if TYPE_CHECKING:
    from typing_extensions import Self
from .base import BaseServer

__all__ = ["TCPServer", "UDPServer"]


def _stdlib_accept() -> Any:
    """``socket.socket.accept`` if it is the socket module's own (not patched before we were
    imported, gevent-style or by a wrapper), else None: only that one is safe to bypass."""
    socket_class = cast(type, _Socket)  # as typed it always is; a patch may have replaced it
    accept = getattr(socket_class, "accept", None)
    code = getattr(accept, "__code__", None)
    if not issubclass(socket_class, _socket.socket) or code is None:
        return None
    return accept if code.co_filename == getattr(socket, "__file__", None) else None


# Whether a request was noted in this process (see _forks): until then no handler can have
# forked a child that holds its connection. A global of this module, as reading it in a
# forked child writes nothing (see shutdown_request).
_noting_forks = False


def _now_noting_forks() -> None:
    global _noting_forks
    _noting_forks = True


_forks.when_hooked(_now_noting_forks)

_SOCKET_ACCEPT = _stdlib_accept()
_raw_accept = getattr(_socket.socket, "_accept", None) if _SOCKET_ACCEPT else None
try:
    # The C attributes under socket.socket's family/type properties (which make enums).
    _family: Any = _socket.socket.__dict__["family"].__get__
    _kind: Any = _socket.socket.__dict__["type"].__get__
except (KeyError, AttributeError):  # an interpreter whose _socket is built otherwise
    _raw_accept = None


def _accept(listening: _Socket) -> Tuple[Any, Any]:
    """``listening.accept()``, without its two enum conversions when that is all it does.

    ``socket.accept()`` builds the new socket from ``self.family`` and ``self.type``,
    properties that convert the C integers to enums through four Python calls each:
    that was most of the server's Python calls per connection. Given a plain
    ``socket.socket`` whose ``accept`` nobody replaced, this does the same with the
    integers (the new socket's own properties convert them on use, as ever); anything
    else (an SSL socket, a patched class) gets its own ``accept()``.
    """
    if type(listening) is not _Socket or _Socket.accept is not _SOCKET_ACCEPT or not _raw_accept:
        return listening.accept()
    descriptor, address = _raw_accept(listening)
    connection = _Socket(_family(listening), _kind(listening), listening.proto, fileno=descriptor)
    # As socket.accept(): a listening timeout must not leave the new socket non-blocking.
    if socket.getdefaulttimeout() is None and listening.gettimeout():
        connection.setblocking(True)
    return connection, address


class TCPServer(BaseServer[StreamRequestT, InetAddressT]):
    """A synchronous server on a connected-socket family; TCP over IPv4 by default."""

    address_family: int = AF_INET
    socket_type: int = SOCK_STREAM
    #: The backlog passed to ``listen()``.
    request_queue_size: int = 5
    #: Set SO_REUSEADDR before binding.
    allow_reuse_address: bool = False
    #: Set SO_REUSEPORT before binding, where the platform has it.
    allow_reuse_port: bool = False
    #: The listening (or, for datagram servers, the receiving) socket.
    socket: _Socket
    #: An IP address tuple once bound: ``(host, port)`` for AF_INET, a 4-tuple for AF_INET6.
    server_address: Tuple[Any, ...]

    def __init__(
        self,
        server_address: ServerAddress,
        RequestHandlerClass: HandlerClass[Self],
        bind_and_activate: bool = True,
    ) -> None:
        """Create the socket and, unless told otherwise, bind and activate it."""
        # pyright binds Self to BaseServer in a call through the class; the handler
        # class was checked against this server's Self above.
        BaseServer.__init__(self, server_address, cast("HandlerClass[Any]", RequestHandlerClass))
        self.socket = socket.socket(self.address_family, self.socket_type)
        if bind_and_activate:
            try:
                self.server_bind()
                self.server_activate()
            except BaseException:
                # The original error is the one worth reporting; the socket must go regardless.
                try:
                    with contextlib.suppress(Exception):
                        self.server_close()
                finally:
                    self.socket.close()
                raise

    def server_bind(self) -> None:
        """Apply the reuse options, bind to ``server_address``, then record the bound address."""
        check_address(type(self).__name__, self.address_family, self.server_address)
        if self.allow_reuse_address and hasattr(socket, "SO_REUSEADDR"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.allow_reuse_port and hasattr(socket, "SO_REUSEPORT"):
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()

    def server_activate(self) -> None:
        """Start listening with a backlog of ``request_queue_size``."""
        self.socket.listen(self.request_queue_size)

    def server_close(self) -> None:
        """Close the server's socket; calling it again does nothing."""
        self.socket.close()

    def fileno(self) -> int:
        """The server socket's descriptor, so the server itself can be given to a selector."""
        return self.socket.fileno()

    def get_request(self) -> tuple[StreamRequestT, InetAddressT]:
        """Accept the next connection: ``(connected socket, client address)``."""
        # Typed Any rather than cast(): this runs for every request.
        accepted: Tuple[Any, Any] = _accept(self.socket)
        self._accepted = accepted[0]
        return accepted

    def shutdown_request(self, request: StreamRequestT) -> None:
        """Half-close the connection (so the peer sees the end of the reply), then close it.

        If the handler forked (the pattern of the Server Creation Notes), the child holds
        the connection: only this process's descriptor is closed, and the child ends the
        connection when it is done.
        """
        connection: Any = request
        # The flag first: a call costs a forked child two page faults (see _forks).
        if _noting_forks and forked_since_request_began():
            self.close_request(request)
            return
        try:  # noqa: SIM105 -- a context manager per request costs more than try/except
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the peer may be gone already (ENOTCONN on some platforms)
        self.close_request(request)

    def close_request(self, request: StreamRequestT) -> None:
        """Close the connection."""
        connection: Any = request
        connection.close()


class UDPServer(TCPServer[DatagramRequest, InetAddressT]):
    """A synchronous datagram server: each datagram received is one request."""

    allow_reuse_address: bool = False
    allow_reuse_port: bool = False
    socket_type: int = SOCK_DGRAM
    #: The largest datagram read in one request; the rest of a longer one is lost.
    max_packet_size: ClassVar[int] = 8192

    def get_request(self) -> tuple[DatagramRequest, InetAddressT]:
        """Receive one datagram: ``((data, server socket), client address)``."""
        data, client_address = self.socket.recvfrom(self.max_packet_size)
        return (data, self.socket), client_address

    def server_activate(self) -> None:
        """Datagram sockets do not listen."""

    def shutdown_request(self, request: DatagramRequest) -> None:
        """Nothing to half-close: the socket is the server's own."""
        self.close_request(request)

    def close_request(self, request: DatagramRequest) -> None:
        """Nothing to close: the socket is the server's own."""


if hasattr(socket, "AF_UNIX"):
    __all__ += ["UnixDatagramServer", "UnixStreamServer"]

    class UnixStreamServer(TCPServer[_Socket, UnixAddress]):
        """A stream server on an AF_UNIX path."""

        address_family: int = socket.AF_UNIX
        #: The socket's path (bytes for Linux's abstract namespace). The stdlib derives Unix
        #: servers from the IP ones, so this narrows the IP servers' tuple type.
        server_address: UnixAddress  # type: ignore[assignment]

    class UnixDatagramServer(UDPServer[UnixDatagramAddress]):
        """A datagram server on an AF_UNIX path; unbound senders' address is None."""

        address_family: int = socket.AF_UNIX
        server_address: UnixAddress  # type: ignore[assignment]  # see UnixStreamServer

"""The current edition: servers as the Python 3 socketserver docs describe them.

:class:`BaseServer` extends the classic Protocol with what Python 3 added:
``shutdown()``, ``server_close()``, ``timeout`` with ``handle_timeout()``,
``service_actions()``, ``serve_forever(poll_interval=0.5)`` and the context
manager protocol (Python 3.13 socketserver docs, Server Objects), plus the
undocumented but long-standing ``allow_reuse_port`` of the stdlib from Python
3.11 on (declared under a ``sys.version_info`` check, so a checker targeting
3.9 does not see it).
Anything that satisfies it satisfies :class:`sockspec.spec.classic.BaseServer`.

The specialisations fix the request and client address types, so that
``get_request()``, ``verify_request()``, ``finish_request()`` and the other
request hooks are exact: a stream server's request is a socket, a datagram
server's a ``(bytes, socket)`` pair; INET clients are ``(host, port)``, Unix
stream clients a path, Unix datagram clients a path or ``None``.  For an IPv6
server use e.g. ``StreamServer[Inet6Address]``.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Optional, Type

from typing_extensions import Protocol, Self, runtime_checkable

from . import classic
from ._typevars import AddressT, RequestT
from .addresses import (
    DatagramRequest,
    InetAddress,
    StreamRequest,
    UnixAddress,
    UnixDatagramAddress,
)
from .mixins import ForkingMixIn, ThreadingMixIn

# In the order the module defines them (the base, the two kinds, the four families, then
# the threading and forking variants), which is also the order of the reference docs.
__all__ = [  # noqa: RUF022
    "BaseServer",
    "StreamServer",
    "DatagramServer",
    "TCPServer",
    "UDPServer",
    "UnixStreamServer",
    "UnixDatagramServer",
    "ThreadingServer",
    "ForkingServer",
    "ThreadingTCPServer",
    "ThreadingUDPServer",
    "ThreadingUnixStreamServer",
    "ThreadingUnixDatagramServer",
    "ForkingTCPServer",
    "ForkingUDPServer",
    "ForkingUnixStreamServer",
    "ForkingUnixDatagramServer",
]


@runtime_checkable
class BaseServer(classic.BaseServer[RequestT, AddressT], Protocol[RequestT, AddressT]):
    """A server as the Python 3 docs describe it: the classic members and the newer ones."""

    timeout: Optional[float]
    """Seconds ``handle_request()`` waits for a request, or ``None`` to wait for ever.

    Clauses: server.timeout.declared, server.handle_request.timeout
    """

    if sys.version_info >= (3, 11):
        allow_reuse_port: bool
        """Class variable (3.11+): whether the listening socket sets ``SO_REUSEPORT``.

        Not in the library reference of any edition; the stdlib has it from
        3.11 on (CPython 3.11 Lib/socketserver.py), so it is declared only there.

        Clauses: server.allow_reuse_port.declared, server.allow_reuse_port.sockopt
        """

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve requests until ``shutdown()``, checking for it every ``poll_interval`` seconds.

        Clauses: server.serve_forever.declared, server.serve_forever.repeats,
        server.serve_forever.service_actions, server.serve_forever.poll_interval_parameter
        """
        ...

    def shutdown(self) -> None:
        """Make a running ``serve_forever()`` stop, and wait until it has.

        Clauses: server.shutdown.declared, server.shutdown.stops_serve_forever,
        server.shutdown.waits
        """
        ...

    def server_close(self) -> None:
        """Release the server's resources, its listening socket first.

        Clauses: server.server_close.declared, server.server_close.releases_socket
        """
        ...

    def handle_timeout(self) -> None:
        """Called by ``handle_request()`` when ``timeout`` passes without a request.

        Clauses: server.handle_timeout.declared, server.handle_request.timeout
        """
        ...

    def service_actions(self) -> None:
        """A hook called on every turn of the ``serve_forever()`` loop.

        Clauses: server.service_actions.declared, server.serve_forever.service_actions
        """
        ...

    def __enter__(self) -> Self:
        """Enter a ``with`` block and get the server itself.

        Clauses: server.__enter__.declared, server.context_manager.returns_self
        """
        ...

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
        /,
    ) -> None:
        """Leave a ``with`` block by closing the server; exceptions are never swallowed.

        Clauses: server.__exit__.declared, server.context_manager.closes
        """
        ...


@runtime_checkable
class StreamServer(BaseServer[StreamRequest, AddressT], Protocol[AddressT]):
    """A connection-oriented server: each request is a connected socket."""


@runtime_checkable
class DatagramServer(BaseServer[DatagramRequest, AddressT], Protocol[AddressT]):
    """A datagram server: each request is the received bytes with the server socket."""


@runtime_checkable
class TCPServer(StreamServer[InetAddress], Protocol):
    """A TCP/IPv4 server: socket requests from ``(host, port)`` clients."""


@runtime_checkable
class UDPServer(DatagramServer[InetAddress], Protocol):
    """A UDP/IPv4 server: ``(bytes, socket)`` requests from ``(host, port)`` clients."""


@runtime_checkable
class UnixStreamServer(StreamServer[UnixAddress], Protocol):
    """A Unix stream server: socket requests from clients named by a path."""


@runtime_checkable
class UnixDatagramServer(DatagramServer[UnixDatagramAddress], Protocol):
    """A Unix datagram server: senders are a path, or ``None`` when unbound."""


@runtime_checkable
class ThreadingServer(ThreadingMixIn, BaseServer[RequestT, AddressT], Protocol[RequestT, AddressT]):
    """Any server built with the threading mix-in."""


@runtime_checkable
class ForkingServer(ForkingMixIn, BaseServer[RequestT, AddressT], Protocol[RequestT, AddressT]):
    """Any server built with the forking mix-in."""


@runtime_checkable
class ThreadingTCPServer(ThreadingMixIn, TCPServer, Protocol):
    """A TCP server that serves each request in its own thread."""


@runtime_checkable
class ThreadingUDPServer(ThreadingMixIn, UDPServer, Protocol):
    """A UDP server that serves each request in its own thread."""


@runtime_checkable
class ThreadingUnixStreamServer(ThreadingMixIn, UnixStreamServer, Protocol):
    """A Unix stream server that serves each request in its own thread."""


@runtime_checkable
class ThreadingUnixDatagramServer(ThreadingMixIn, UnixDatagramServer, Protocol):
    """A Unix datagram server that serves each request in its own thread."""


@runtime_checkable
class ForkingTCPServer(ForkingMixIn, TCPServer, Protocol):
    """A TCP server that serves each request in a child process."""


@runtime_checkable
class ForkingUDPServer(ForkingMixIn, UDPServer, Protocol):
    """A UDP server that serves each request in a child process."""


@runtime_checkable
class ForkingUnixStreamServer(ForkingMixIn, UnixStreamServer, Protocol):
    """A Unix stream server that serves each request in a child process (stdlib: 3.12+)."""


@runtime_checkable
class ForkingUnixDatagramServer(ForkingMixIn, UnixDatagramServer, Protocol):
    """A Unix datagram server that serves each request in a child process (stdlib: 3.12+)."""

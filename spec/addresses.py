"""Names for the request and address types the socketserver docs describe.

The Python 3 docs say a stream request is a socket and a datagram request is a
pair of the received bytes and the server's socket (Python 3.13 socketserver
docs, Request Handler Objects), and that the address format depends on the
protocol family (Server Objects, ``server_address``).  The aliases below pin
what CPython 3.9-3.13 actually hands out, which the type checkers' bundled
typeshed mostly leaves as ``Any``.
"""

from __future__ import annotations

from socket import socket as Socket
from typing import Any, Optional, Tuple, Union

from typing_extensions import Buffer, TypeAlias

__all__ = [
    "DatagramRequest",
    "Inet6Address",
    "InetAddress",
    "Socket",
    "SocketAddress",
    "StreamRequest",
    "UnixAddress",
    "UnixDatagramAddress",
]

#: A stream server's request: the connected socket returned by ``accept()``.
StreamRequest: TypeAlias = Socket
#: A datagram server's request: the bytes received and the server's own socket.
DatagramRequest: TypeAlias = Tuple[bytes, Socket]
#: An AF_INET client address: ``(host, port)``.
InetAddress: TypeAlias = Tuple[str, int]
#: An AF_INET6 client address: ``(host, port, flowinfo, scope_id)``.
Inet6Address: TypeAlias = Tuple[str, int, int, int]
#: An AF_UNIX address: a filesystem path (``str``; ``""`` for an unnamed peer),
#: or ``bytes`` for Linux abstract-namespace names.
UnixAddress: TypeAlias = Union[str, bytes]
#: An AF_UNIX datagram sender: ``None`` when the sending socket is not bound.
UnixDatagramAddress: TypeAlias = Optional[UnixAddress]
#: Anything a socket can be bound to; the type of ``server_address``, whose
#: format the docs leave to the protocol family.
SocketAddress: TypeAlias = Union[Tuple[Any, ...], str, Buffer]

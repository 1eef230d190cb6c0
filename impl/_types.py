"""Type variables and address aliases shared by the reference implementation.

The servers are generic over the request type and the address type, each with a
default (PEP 696), so an unparameterised ``TCPServer`` still reads naturally.
"""

from __future__ import annotations

import socket
from typing import Any, Tuple, Union

from typing_extensions import TypeAlias, TypeVar

__all__ = [
    "AddressT",
    "DatagramRequest",
    "Inet6Address",
    "InetAddress",
    "InetAddressT",
    "RequestT",
    "StreamRequestT",
    "UnixAddress",
]

#: An AF_INET address: ``(host, port)``.
InetAddress: TypeAlias = Tuple[str, int]
#: An AF_INET6 address as ``getsockname()`` reports it: ``(host, port, flowinfo, scope_id)``.
Inet6Address: TypeAlias = Tuple[str, int, int, int]
#: An AF_UNIX address: a file system path, or bytes for Linux's abstract namespace.
UnixAddress: TypeAlias = Union[str, bytes]
#: What a datagram server hands to its handler: the payload and the server's socket.
DatagramRequest: TypeAlias = Tuple[bytes, socket.socket]

#: The request a server produces; ``Any`` when unspecified, as for ``BaseServer``.
RequestT = TypeVar("RequestT", default=Any)
#: The address type of a server and its clients; ``Any`` when unspecified.
AddressT = TypeVar("AddressT", default=Any)
#: The request of a socket server; a plain connected socket unless a subclass says otherwise.
StreamRequestT = TypeVar("StreamRequestT", default=socket.socket)
#: The address type of an IP server: AF_INET ``(host, port)`` unless a subclass says otherwise.
InetAddressT = TypeVar("InetAddressT", default=InetAddress)

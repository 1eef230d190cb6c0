"""Type variables and address aliases shared by the reference implementation.

The servers are generic over the request type and the address type, each with a
default (PEP 696), so an unparameterised ``TCPServer`` still reads naturally.
"""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Tuple, Union

# typing_extensions (with inspect, ast, dis and tokenize behind it) is for type checkers
# only: every forked child copies the parent's memory, so a smaller server forks faster.
if TYPE_CHECKING:
    from typing_extensions import TypeAlias, TypeVar
elif sys.version_info >= (3, 13):
    from typing import TypeVar
else:
    from typing import TypeVar as _PlainTypeVar

    def TypeVar(name: str, *constraints: Any, default: Any = None, **options: Any) -> Any:
        """A TypeVar without its default (PEP 696), which only type checkers read."""
        return _PlainTypeVar(name, *constraints, **options)


__all__ = [
    "AddressT",
    "DatagramRequest",
    "HandlerFactory",
    "HandlerLike",
    "Inet6Address",
    "InetAddress",
    "InetAddressT",
    "RequestT",
    "ServerAddress",
    "ServerHooks",
    "StreamRequestT",
    "UnixAddress",
    "UnixDatagramAddress",
]

#: An AF_INET address: ``(host, port)``.
InetAddress: TypeAlias = Tuple[str, int]
#: An AF_INET6 address as ``getsockname()`` reports it: ``(host, port, flowinfo, scope_id)``.
Inet6Address: TypeAlias = Tuple[str, int, int, int]
#: An AF_UNIX address: a file system path, or bytes for Linux's abstract namespace.
UnixAddress: TypeAlias = Union[str, bytes]
#: An AF_UNIX datagram sender: None when the sending socket is not bound to a name.
UnixDatagramAddress: TypeAlias = Optional[UnixAddress]
#: What a server can be bound to; its format depends on the address family.
ServerAddress: TypeAlias = Union[Tuple[Any, ...], str, bytes]
#: What a datagram server hands to its handler: the payload and the server's socket.
DatagramRequest: TypeAlias = Tuple[bytes, socket.socket]

#: The request a server produces; ``Any`` when unspecified, as for ``BaseServer``.
RequestT = TypeVar("RequestT", default=Any)
#: The address type of a server's clients; ``Any`` when unspecified.
AddressT = TypeVar("AddressT", default=Any)
#: The request of a socket server; a plain connected socket unless a subclass says otherwise.
StreamRequestT = TypeVar("StreamRequestT", default=socket.socket)
#: The client address type of an IP server: ``(host, port)`` unless a subclass says otherwise.
InetAddressT = TypeVar("InetAddressT", default=InetAddress)

_RequestT_co = TypeVar("_RequestT_co", covariant=True, default=Any)
_AddressT_co = TypeVar("_AddressT_co", covariant=True, default=Any)


class HandlerLike(Protocol[_RequestT_co, _AddressT_co]):
    """What a server's ``RequestHandlerClass`` makes: ours, the stdlib's or anyone's handler."""

    @property
    def request(self) -> _RequestT_co: ...
    @property
    def client_address(self) -> _AddressT_co: ...
    @property
    def server(self) -> Any: ...
    def setup(self) -> None: ...
    def handle(self) -> None: ...
    def finish(self) -> None: ...


#: The type of ``RequestHandlerClass``: called as ``(request, client_address, server)``.
#: The server parameter is ``Any`` so that handlers typed against the stdlib's server
#: class (``http.server``, ``xmlrpc.server``...) are accepted too.
HandlerFactory: TypeAlias = Callable[[RequestT, AddressT, Any], HandlerLike[RequestT, AddressT]]


class ServerHooks(Protocol):
    """The server hooks the mix-ins call; they are mix-ins, so the server class provides them."""

    def finish_request(self, request: Any, client_address: Any) -> None: ...
    def handle_error(self, request: Any, client_address: Any) -> None: ...
    def shutdown_request(self, request: Any) -> None: ...
    def close_request(self, request: Any) -> None: ...
    def server_close(self) -> None: ...

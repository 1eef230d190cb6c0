"""Type variables and address aliases shared by the reference implementation.

The servers are generic over the request type and the address type, each with a
default (PEP 696), so an unparameterised ``TCPServer`` still reads naturally.
"""

from __future__ import annotations

import socket
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Tuple, Type, Union

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


if TYPE_CHECKING:
    import socketserver

__all__ = [
    "AddressT",
    "AnyServer",
    "DatagramRequest",
    "HandlerClass",
    "HandlerFactory",
    "HandlerLike",
    "Inet6Address",
    "InetAddress",
    "InetAddressT",
    "RequestT",
    "ServerAddress",
    "ServerHooks",
    "ServerT",
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
_RequestT_contra = TypeVar("_RequestT_contra", contravariant=True, default=Any)
_AddressT_contra = TypeVar("_AddressT_contra", contravariant=True, default=Any)
_ServerT_contra = TypeVar("_ServerT_contra", contravariant=True, default=Any)
#: The server a handler class is given to (in ``HandlerClass[...]``, the server itself).
_ServerT = TypeVar("_ServerT", default=Any)


class AnyServer(Protocol):
    """A plain handler's ``server``: the members of every server, whatever it serves.

    Only members that do not involve the request and address types: a default
    that mentioned them (``BaseServer[Any, Any]``) would make mypy, pyrefly and
    ty infer ``TCPServer[Any, Any]`` for ``TCPServer(address, PlainHandler)``
    instead of the defaults.
    """

    # Read-only, so that subclasses may narrow them (``timeout: float = 5.0``).
    @property
    def timeout(self) -> Optional[float]: ...
    @property
    def server_address(self) -> Any: ...
    def serve_forever(self, poll_interval: Optional[float] = ...) -> None: ...
    def shutdown(self) -> None: ...
    def handle_request(self) -> None: ...
    def service_actions(self) -> None: ...
    def handle_timeout(self) -> None: ...
    def server_activate(self) -> None: ...
    def server_close(self) -> None: ...


#: The server a handler is written for: ``self.server`` has this type, and only this
#: server class and its subclasses accept the handler class.  The default is any
#: server: what every server has whatever its request and address types.
ServerT = TypeVar("ServerT", default=AnyServer)


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


class HandlerFactory(Protocol[_RequestT_contra, _AddressT_contra, _ServerT_contra]):
    """The type of ``RequestHandlerClass``: called as ``(request, client_address, server)``.

    A callback Protocol rather than a ``Callable`` on purpose: a ``Callable``
    declared in a class body is bound like a method by some checkers (zuban, and
    pyright when it infers a constructor call against a Protocol), while an
    object with ``__call__`` is never bound.  Contravariant in the server, so
    that ``HandlerFactory[Any, Any, CountingServer]`` (a handler class written
    for ``CountingServer``) is accepted where a subclass of it is the server
    and refused for an unrelated server.
    """

    def __call__(
        self,
        request: _RequestT_contra,
        client_address: _AddressT_contra,
        server: _ServerT_contra,
        /,
    ) -> HandlerLike[Any, Any]: ...


#: What a server's constructor accepts as ``RequestHandlerClass``, the server being
#: ``_ServerT`` (``Self`` in the constructors): a handler class whose server parameter
#: the server satisfies, or any handler class of the stdlib's socketserver.  Those are
#: typed (by typeshed) for the stdlib's own ``BaseServer``, which ours do not derive
#: from, yet they use nothing ours lack (``http.server``, ``xmlrpc.server``...).
#: A ``Callable`` here, where nothing binds it: pyrefly 1.4.1 does not match a generic
#: class (``StreamRequestHandler``) against a callback Protocol, only against a Callable.
HandlerClass: TypeAlias = Union[
    Callable[[Any, Any, _ServerT], HandlerLike[Any, Any]],
    Type["socketserver.BaseRequestHandler"],
]


class ServerHooks(Protocol):
    """The server hooks the mix-ins call; they are mix-ins, so the server class provides them."""

    def finish_request(self, request: Any, client_address: Any) -> None: ...
    def handle_error(self, request: Any, client_address: Any) -> None: ...
    def shutdown_request(self, request: Any) -> None: ...
    def close_request(self, request: Any) -> None: ...
    def server_close(self) -> None: ...

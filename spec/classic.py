"""The classic edition: the server interface as the Python 2.4 reference documents it.

Python 2.4 library reference section 11.16.2 ("Server Objects") documents
seventeen members of a server: three public methods, four attributes, three
class variables and seven methods meant for overriding.  :class:`BaseServer`
declares exactly those, nothing more, so that a Python 2-era implementation
(or a modern one) can be checked against the old promise alone.

The 2.4 page prints ``finish_request()`` and ``get_request()`` without
parameters.  That is an omission of the page, not the interface: every 2.x
release defines ``finish_request(request, client_address)`` and a
``get_request()`` that returns a ``(request, client_address)`` pair, and
``handle_request()`` relies on both.  The Protocol uses the real signatures.

The request handler interface of 11.16.3 is the same in both editions and
lives in :mod:`sockspec.spec.handlers`; the 2.4 module introduction also
names the threading mix-in's ``daemon_threads`` flag
(:class:`ThreadingMixIn` below).
"""

from __future__ import annotations

from typing import Callable, Tuple

from typing_extensions import Protocol, runtime_checkable

from ._typevars import AddressT, RequestT
from .addresses import Socket, SocketAddress
from .handlers import BaseRequestHandler, DatagramRequestHandler, StreamRequestHandler

__all__ = [
    "BaseRequestHandler",
    "BaseServer",
    "DatagramRequestHandler",
    "StreamRequestHandler",
    "ThreadingMixIn",
]


@runtime_checkable
class BaseServer(Protocol[RequestT, AddressT]):
    """A server as Python 2.4 lib 11.16.2 describes it (exactly its 17 members).

    ``RequestT`` is what ``get_request()`` returns as the request and
    ``AddressT`` the client address paired with it; both default to ``Any``.
    """

    address_family: int
    """The socket family the server listens with (``socket.AF_INET``, ``AF_UNIX``...).

    Clauses: server.address_family.declared, server.address_family.honoured
    """

    allow_reuse_address: bool
    """Class variable: whether the listening socket may reuse a recently used address.

    Clauses: server.allow_reuse_address.declared, server.allow_reuse_address.sockopt
    """

    request_queue_size: int
    """Class variable: how many pending connections may wait while a request is served.

    Clauses: server.request_queue_size.declared, server.request_queue_size.listen_backlog
    """

    socket_type: int
    """Class variable: the kind of socket used, e.g. ``SOCK_STREAM`` or ``SOCK_DGRAM``.

    Clauses: server.socket_type.declared, server.socket_type.honoured
    """

    @property
    def RequestHandlerClass(self) -> Callable[..., BaseRequestHandler[RequestT, AddressT]]:
        """The handler class given at construction; one instance is made per request.

        Read-only, and typed as a callable that returns a handler of this
        server's request and address types, its parameters left open.  That is
        the one spelling every checker of ``make typing`` reads as intended for
        the standard library's servers: typeshed declares their
        ``RequestHandlerClass`` as a class-body ``Callable[[Any, _RetAddress,
        Self], BaseRequestHandler]`` (an instance variable), which pyright reads
        with its three parameters on access but binds like a method (two left)
        when it matches the class against a Protocol.  Against that reading,
        a type that can also be called as ``(request, client_address, server)``
        must take any parameters: a pinned ``Callable``, a callback Protocol, a
        union or overloads are each refused for, or uncallable on, the stdlib
        (``tests/typing/cases/reject_handler_pairing.py`` pins all four on five
        checkers, ``cases/reproducers/callable_instance_variable.py`` shows the
        binding without sockspec).  Calls still return a handler type, and a server
        whose handler class makes something else is refused.  The servers of
        :mod:`sockspec.impl` type it exactly, with their own type.

        Clauses: server.request_handler_class.declared, server.request_handler_class.handler_type,
        server.request_handler_class.new_instance_per_request
        """
        ...

    @property
    def server_address(self) -> SocketAddress:
        """The address the server listens on; its format depends on the family.

        Clauses: server.server_address.declared, server.server_address.real_port
        """
        ...

    @property
    def socket(self) -> Socket:
        """The listening socket object.

        Clauses: server.socket.declared, server.socket.is_server_socket
        """
        ...

    def fileno(self) -> int:
        """Return the file descriptor of the listening socket, for use with select.

        Clauses: server.fileno.declared, server.fileno.returns_int, server.fileno.listening_socket
        """
        ...

    def handle_request(self) -> None:
        """Serve one request: get it, verify it, then process it.

        Clauses: server.handle_request.declared, server.handle_request.order
        """
        ...

    def serve_forever(self) -> None:
        """Serve requests one after another, without end.

        Clauses: server.serve_forever.declared, server.serve_forever.loops_handle_request
        """
        ...

    def finish_request(self, request: RequestT, client_address: AddressT) -> None:
        """Handle a request by instantiating ``RequestHandlerClass`` for it.

        The 2.4 page shows no parameters; the real 2.x signature takes the
        request and the client address.

        Clauses: server.finish_request.declared, server.finish_request.instantiates_handler
        """
        ...

    def get_request(self) -> Tuple[RequestT, AddressT]:
        """Accept a request and return it with the client's address, as a pair.

        Clauses: server.get_request.declared, server.get_request.returns_tuple,
        server.get_request.returns_pair
        """
        ...

    def handle_error(self, request: RequestT, client_address: AddressT) -> None:
        """Called when the handler raised; reports the error and lets serving go on.

        Clauses: server.handle_error.declared, server.handle_error.called_once
        """
        ...

    def process_request(self, request: RequestT, client_address: AddressT) -> None:
        """Run ``finish_request`` for a verified request (mix-ins move it elsewhere).

        Clauses: server.process_request.declared, server.process_request.calls_finish_request
        """
        ...

    def server_activate(self) -> None:
        """Called by the constructor to start listening (``listen()`` for streams).

        Clauses: server.server_activate.declared, server.server_activate.called_by_constructor
        """
        ...

    def server_bind(self) -> None:
        """Called by the constructor to bind the socket to ``server_address``.

        Clauses: server.server_bind.declared, server.server_bind.binds
        """
        ...

    def verify_request(self, request: RequestT, client_address: AddressT) -> bool:
        """Decide whether a request is served (True) or dropped (False).

        Clauses: server.verify_request.declared, server.verify_request.returns_bool,
        server.verify_request.false_rejects
        """
        ...


@runtime_checkable
class ThreadingMixIn(Protocol):
    """The threading mix-in's flag that the 2.4 module introduction (11.16) names."""

    daemon_threads: bool
    """Whether request threads are daemonic, so the process need not wait for them.

    Clauses: threading.daemon_threads.declared, threading.daemon_threads.honoured
    """

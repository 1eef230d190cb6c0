"""Rejected: a handler written for one server, given to another.

Every checker of ``make typing`` must refuse ``OtherServer(address,
CountingHandler)``: the handler reads ``self.server.served``, which only a
``CountingServer`` has.  Below the pairing, the four declarations of
``RequestHandlerClass`` that sockspec.spec does not use, and what each checker
does with the standard library's servers under them (see ``docs/typecheck.rst``).
"""

from __future__ import annotations

import socketserver
from typing import Any, Callable, Union, overload

from typing_extensions import Protocol

from sockspec import impl, spec
from sockspec.spec import InetAddress

INET = ("127.0.0.1", 0)


class CountingServer(impl.TCPServer):
    served: int = 0


class OtherServer(impl.TCPServer):
    pass


class CountingHandler(impl.StreamRequestHandler[InetAddress, CountingServer]):
    def handle(self) -> None:
        self.server.served += 1


class PlainHandler(impl.StreamRequestHandler):
    def handle(self) -> None:
        self.server.served = 0  # E: mypy[attr-defined] pyright[reportAttributeAccessIssue] pyrefly[missing-attribute] ty[missing-attribute] zuban[attr-defined]


def handler_for_another_server() -> None:
    """Only CountingServer and its subclasses accept CountingHandler."""
    OtherServer(INET, CountingHandler, False)  # E: mypy[arg-type] pyright[reportArgumentType] pyrefly[bad-argument-type] ty[invalid-argument-type] zuban[arg-type]
    impl.TCPServer(INET, CountingHandler, False)  # E: mypy[arg-type] pyright[reportArgumentType] pyrefly[bad-argument-type] ty[invalid-argument-type] zuban[arg-type]
    impl.ThreadingTCPServer(INET, CountingHandler, False)  # E: mypy[arg-type] pyright[reportArgumentType] pyrefly[bad-argument-type] ty[invalid-argument-type] zuban[arg-type]


def reassign(other: OtherServer) -> None:
    other.RequestHandlerClass = CountingHandler  # E: mypy[assignment] pyright[reportAttributeAccessIssue] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]


a: type[spec.StreamRequestHandler[InetAddress, spec.ThreadingServer]] = CountingHandler  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]


def needs_threading(handler: spec.StreamRequestHandler[InetAddress, spec.ThreadingServer]) -> None:
    print(handler.server.daemon_threads)


def passes_counting(handler: CountingHandler) -> None:
    needs_threading(handler)  # E: mypy[arg-type] pyright[reportArgumentType] pyrefly[bad-argument-type] ty[invalid-argument-type] zuban[arg-type]


class PinnedHandlerClass(Protocol):
    """Why spec's RequestHandlerClass leaves its parameters open: pinned as a Callable.

    typeshed declares the stdlib's ``RequestHandlerClass`` as a class-body
    ``Callable[[Any, _RetAddress, Self], BaseRequestHandler]`` (an instance variable).
    pyright reads it unbound on attribute access, but binds it like a method
    (dropping the request parameter) when it matches the class against a Protocol,
    so a pinned ``(request, client_address, server)`` rejects the stdlib there;
    zuban's default mode binds it always (a recorded deviation); the others accept.
    ``reproducers/callable_instance_variable.py`` shows both without sockspec.
    """

    @property
    def RequestHandlerClass(self) -> Callable[[spec.Socket, InetAddress, Any], spec.BaseRequestHandler]: ...


class MakesHandlers(Protocol):
    """A callback Protocol for the handler class: called as the documentation says."""

    def __call__(self, request: spec.Socket, client_address: InetAddress, server: Any, /) -> spec.BaseRequestHandler: ...


class PinnedHandlerFactory(Protocol):
    """The same parameters as a callback Protocol: refused alike, the binding is the cause."""

    @property
    def RequestHandlerClass(self) -> MakesHandlers: ...


class BothShapes(Protocol):
    """Overloads for the unbound and the bound reading: a value must fit both, none does."""

    @overload
    def __call__(self, request: spec.Socket, client_address: InetAddress, server: Any, /) -> spec.BaseRequestHandler: ...
    @overload
    def __call__(self, client_address: InetAddress, server: Any, /) -> spec.BaseRequestHandler: ...


class OverloadedHandlerFactory(Protocol):
    @property
    def RequestHandlerClass(self) -> BothShapes: ...


Unbound = Callable[[spec.Socket, InetAddress, Any], spec.BaseRequestHandler]
Bound = Callable[[InetAddress, Any], spec.BaseRequestHandler]


class EitherShape(Protocol):
    """A union of the two readings: every checker matches the stdlib, none lets it be called."""

    @property
    def RequestHandlerClass(self) -> Union[Unbound, Bound]: ...


STDLIB = socketserver.TCPServer(INET, socketserver.BaseRequestHandler, False)
b: PinnedHandlerClass = STDLIB  # E: pyright[reportAssignmentType]
c: PinnedHandlerFactory = STDLIB  # E: pyright[reportAssignmentType]
d: OverloadedHandlerFactory = STDLIB  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
e: EitherShape = STDLIB


def make_handler(server: EitherShape, request: Any) -> None:
    server.RequestHandlerClass(request, INET, server)  # E: mypy[call-arg] pyright[reportCallIssue] pyrefly[bad-argument-count] ty[too-many-positional-arguments] zuban[call-arg]

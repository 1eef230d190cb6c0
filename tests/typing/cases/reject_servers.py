"""Rejected: servers that break the documented interface, with each error pinned.

A trailing ``# E: mypy[<code>] pyright[<rule>] ...`` marks a line where each
checker named must report exactly those errors (``# E@3.9:`` for one target
only); a checker not named there must accept the line.
"""

from __future__ import annotations

import socketserver
from typing import Any, Callable, Tuple

from sockspec import spec
from sockspec.spec import classic

INET = ("127.0.0.1", 0)
Handler = socketserver.BaseRequestHandler


class NoClientAddress(socketserver.TCPServer):
    def verify_request(self, request: Any) -> bool:  # E: mypy[override] pyright[reportIncompatibleMethodOverride] pyrefly[bad-override] ty[incompatible-method-override] zuban[override]
        return True


class FilenoStr(socketserver.TCPServer):
    def fileno(self) -> str:  # E: mypy[override] pyright[reportIncompatibleMethodOverride] pyrefly[bad-override] ty[incompatible-method-override] zuban[override]
        return "3"


class GetRequestNeedsTimeout(socketserver.TCPServer):
    def get_request(self, timeout: float) -> Tuple[Any, Any]:  # E: mypy[override] pyright[reportIncompatibleMethodOverride] pyrefly[bad-override] ty[incompatible-method-override] zuban[override]
        return super().get_request()


class QueueSizeStr(socketserver.TCPServer):
    request_queue_size: str = "5"  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride] pyrefly[bad-override-mutable-attribute] ty[incompatible-attribute-override] zuban[assignment]


class TimeoutRequired(socketserver.TCPServer):
    # mypy (and zuban, which follows it) allows narrowing a mutable attribute in a
    # subclass; pyright, pyrefly and ty do not.
    timeout: float = 5.0  # E: pyright[reportIncompatibleVariableOverride] pyrefly[bad-override-mutable-attribute] ty[incompatible-mutable-override]


class OnlyFileno:
    def fileno(self) -> int:
        return 3


class ServeForeverNoPoll(socketserver.TCPServer):
    def serve_forever(self) -> None:  # E: mypy[override] pyright[reportIncompatibleMethodOverride] pyrefly[bad-override] ty[incompatible-method-override] zuban[override]
        return None


a: spec.TCPServer = NoClientAddress(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
b: spec.TCPServer = FilenoStr(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
c: spec.TCPServer = GetRequestNeedsTimeout(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
d: spec.TCPServer = QueueSizeStr(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
e: spec.TCPServer = TimeoutRequired(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
f: classic.BaseServer = OnlyFileno()  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
g: spec.BaseServer = socketserver.BaseServer(INET, Handler)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
h: classic.BaseServer = socketserver.BaseServer(INET, Handler)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
i: spec.BaseServer = ServeForeverNoPoll(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
j: classic.BaseServer = ServeForeverNoPoll(INET, Handler, False)
k: spec.UDPServer = socketserver.TCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
m: spec.TCPServer = socketserver.UDPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
n: spec.ThreadingTCPServer = socketserver.TCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
o: spec.ForkingTCPServer = socketserver.ThreadingTCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
p: classic.BaseServer = classic.BaseServer  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
# Not rejected: typeshed types every handler's ``request`` as Any, so a datagram
# handler class passes for a stream one; only the documented files tell them apart.
q: type[spec.StreamRequestHandler] = socketserver.DatagramRequestHandler
r: type[spec.StreamRequestHandler] = socketserver.BaseRequestHandler  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]


def uses_only_the_documented_interface(server: spec.TCPServer) -> None:
    server.shutdown_request = None  # E: mypy[attr-defined] pyright[reportAttributeAccessIssue] pyrefly[missing-attribute] ty[missing-attribute] zuban[attr-defined]
    server.verify_request(server.get_request()[0])  # E: mypy[call-arg] pyright[reportCallIssue] pyrefly[missing-argument] ty[missing-argument] zuban[call-arg]
    print(server.fileno() + "x")  # E: mypy[operator] pyright[reportOperatorIssue] pyright[reportUnknownArgumentType] pyrefly[unsupported-operation] ty[unsupported-operator] zuban[operator]


def classic_has_no_python3_members(server: classic.BaseServer) -> None:
    server.shutdown = None  # E: mypy[attr-defined] pyright[reportAttributeAccessIssue] pyrefly[missing-attribute] ty[missing-attribute] zuban[attr-defined]
    server.serve_forever(0.5)  # E: mypy[call-arg] pyright[reportCallIssue] pyrefly[bad-argument-count] ty[too-many-positional-arguments] zuban[call-arg]


class SocketIsAnInt(socketserver.TCPServer):
    socket: int  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride] pyrefly[bad-override-mutable-attribute] ty[incompatible-attribute-override] zuban[assignment]


class DaemonThreadsInt(socketserver.ThreadingTCPServer):
    daemon_threads: int = 1  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride] pyrefly[bad-override-mutable-attribute] ty[incompatible-attribute-override] zuban[assignment]


class HandlerWithoutFinish:
    request: Any
    client_address: Any
    server: Any

    def setup(self) -> None: ...
    def handle(self) -> None: ...


s: spec.TCPServer = SocketIsAnInt(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
t: spec.ThreadingMixIn = DaemonThreadsInt(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]
u: type[spec.BaseRequestHandler] = HandlerWithoutFinish  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]


class HandlerClassMakesInts(socketserver.TCPServer):
    # pyright sees a callable declared in a class body as a method.
    RequestHandlerClass: Callable[..., int]  # E: mypy[assignment] pyright[reportIncompatibleMethodOverride] pyrefly[bad-override-mutable-attribute] ty[incompatible-attribute-override] zuban[assignment]


v: spec.TCPServer = HandlerClassMakesInts(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType] pyrefly[bad-assignment] ty[invalid-assignment] zuban[assignment]

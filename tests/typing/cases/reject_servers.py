"""Rejected: servers that break the documented interface, with each error pinned.

A trailing ``# E: mypy[<code>] pyright[<rule>]`` marks a line where both
checkers must report exactly those errors (``# E@3.9:`` for one target only).
"""

from __future__ import annotations

import socketserver
from typing import Any, Callable, Tuple

from sockspec import spec
from sockspec.spec import classic

INET = ("127.0.0.1", 0)
Handler = socketserver.BaseRequestHandler


class NoClientAddress(socketserver.TCPServer):
    def verify_request(self, request: Any) -> bool:  # E: mypy[override] pyright[reportIncompatibleMethodOverride]
        return True


class FilenoStr(socketserver.TCPServer):
    def fileno(self) -> str:  # E: mypy[override] pyright[reportIncompatibleMethodOverride]
        return "3"


class GetRequestNeedsTimeout(socketserver.TCPServer):
    def get_request(self, timeout: float) -> Tuple[Any, Any]:  # E: mypy[override] pyright[reportIncompatibleMethodOverride]
        return super().get_request()


class QueueSizeStr(socketserver.TCPServer):
    request_queue_size: str = "5"  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride]


class TimeoutRequired(socketserver.TCPServer):
    # mypy allows narrowing a mutable attribute in a subclass; pyright does not.
    timeout: float = 5.0  # E: pyright[reportIncompatibleVariableOverride]


class OnlyFileno:
    def fileno(self) -> int:
        return 3


class ServeForeverNoPoll(socketserver.TCPServer):
    def serve_forever(self) -> None:  # E: mypy[override] pyright[reportIncompatibleMethodOverride]
        return None


a: spec.TCPServer = NoClientAddress(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
b: spec.TCPServer = FilenoStr(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
c: spec.TCPServer = GetRequestNeedsTimeout(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
d: spec.TCPServer = QueueSizeStr(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
e: spec.TCPServer = TimeoutRequired(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
f: classic.BaseServer = OnlyFileno()  # E: mypy[assignment] pyright[reportAssignmentType]
g: spec.BaseServer = socketserver.BaseServer(INET, Handler)  # E: mypy[assignment] pyright[reportAssignmentType]
h: classic.BaseServer = socketserver.BaseServer(INET, Handler)  # E: mypy[assignment] pyright[reportAssignmentType]
i: spec.BaseServer = ServeForeverNoPoll(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
j: classic.BaseServer = ServeForeverNoPoll(INET, Handler, False)
k: spec.UDPServer = socketserver.TCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
m: spec.TCPServer = socketserver.UDPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
n: spec.ThreadingTCPServer = socketserver.TCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
o: spec.ForkingTCPServer = socketserver.ThreadingTCPServer(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
p: classic.BaseServer = classic.BaseServer  # E: mypy[assignment] pyright[reportAssignmentType]
# Not rejected: typeshed types every handler's ``request`` as Any, so a datagram
# handler class passes for a stream one; only the documented files tell them apart.
q: type[spec.StreamRequestHandler] = socketserver.DatagramRequestHandler
r: type[spec.StreamRequestHandler] = socketserver.BaseRequestHandler  # E: mypy[assignment] pyright[reportAssignmentType]


def uses_only_the_documented_interface(server: spec.TCPServer) -> None:
    server.shutdown_request = None  # E: mypy[attr-defined] pyright[reportAttributeAccessIssue]
    server.verify_request(server.get_request()[0])  # E: mypy[call-arg] pyright[reportCallIssue]
    print(server.fileno() + "x")  # E: mypy[operator] pyright[reportOperatorIssue] pyright[reportUnknownArgumentType]


def classic_has_no_python3_members(server: classic.BaseServer) -> None:
    server.shutdown = None  # E: mypy[attr-defined] pyright[reportAttributeAccessIssue]
    server.serve_forever(0.5)  # E: mypy[call-arg] pyright[reportCallIssue]


class SocketIsAnInt(socketserver.TCPServer):
    socket: int  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride]


class DaemonThreadsInt(socketserver.ThreadingTCPServer):
    daemon_threads: int = 1  # E: mypy[assignment] pyright[reportIncompatibleVariableOverride]


class HandlerWithoutFinish:
    request: Any
    client_address: Any
    server: Any

    def setup(self) -> None: ...
    def handle(self) -> None: ...


s: spec.TCPServer = SocketIsAnInt(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
t: spec.ThreadingMixIn = DaemonThreadsInt(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]
u: type[spec.BaseRequestHandler] = HandlerWithoutFinish  # E: mypy[assignment] pyright[reportAssignmentType]


class HandlerClassMakesInts(socketserver.TCPServer):
    # pyright sees a callable declared in a class body as a method.
    RequestHandlerClass: Callable[..., int]  # E: mypy[assignment] pyright[reportIncompatibleMethodOverride]


v: spec.TCPServer = HandlerClassMakesInts(INET, Handler, False)  # E: mypy[assignment] pyright[reportAssignmentType]

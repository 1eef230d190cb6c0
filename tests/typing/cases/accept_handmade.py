"""Accepted: a server written from the docs alone, inheriting from nothing.

It shows what the Protocols ask of an implementation that does not reuse
socketserver: the members, their signatures and the attribute types.
"""

from __future__ import annotations

import socket
from typing import Any, Callable, Optional, Tuple

from typing_extensions import Self

from sockspec import spec
from sockspec.spec import classic

Address = Tuple[str, int]


class Handler:
    def __init__(self, request: socket.socket, client_address: Address, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server

    def setup(self) -> None: ...
    def handle(self) -> None: ...
    def finish(self) -> None: ...


class HandMadeServer:
    address_family: int = socket.AF_INET
    socket_type: int = socket.SOCK_STREAM
    allow_reuse_address: bool = False
    allow_reuse_port: bool = False
    request_queue_size: int = 5
    timeout: Optional[float] = None

    def __init__(
        self, server_address: Address, handler: Callable[[socket.socket, Address, Any], Handler]
    ) -> None:
        self.server_address = server_address
        self.RequestHandlerClass = handler
        self.socket = socket.socket(self.address_family, self.socket_type)

    def fileno(self) -> int:
        return self.socket.fileno()

    def server_bind(self) -> None:
        self.socket.bind(self.server_address)

    def server_activate(self) -> None:
        self.socket.listen(self.request_queue_size)

    def get_request(self) -> Tuple[socket.socket, Address]:
        return self.socket.accept()

    def verify_request(self, request: socket.socket, client_address: Address) -> bool:
        return True

    def process_request(self, request: socket.socket, client_address: Address) -> None:
        self.finish_request(request, client_address)

    def finish_request(self, request: socket.socket, client_address: Address) -> None:
        self.RequestHandlerClass(request, client_address, self)

    def handle_error(self, request: socket.socket, client_address: Address) -> None: ...
    def handle_timeout(self) -> None: ...
    def service_actions(self) -> None: ...

    def handle_request(self) -> None:
        request, client_address = self.get_request()
        if self.verify_request(request, client_address):
            self.process_request(request, client_address)

    def serve_forever(self, poll_interval: float = 0.5) -> None: ...
    def shutdown(self) -> None: ...

    def server_close(self) -> None:
        self.socket.close()

    def __enter__(self) -> Self:
        return self

    # Whatever the with block raised, it is not looked at: any three arguments will do.
    def __exit__(self, *exc_info: object) -> None:
        self.server_close()


def uses() -> None:
    server = HandMadeServer(("127.0.0.1", 0), Handler)
    as_tcp: spec.TCPServer = server
    as_classic: classic.BaseServer[socket.socket, Address] = server
    handler_class: type[spec.BaseRequestHandler[socket.socket, Address]] = Handler
    print(as_tcp, as_classic, handler_class)

"""Mutants of server creation: the constructor, the concrete classes and the mix-in order."""

from __future__ import annotations

import functools
import os
import signal
import socket
import socketserver
import threading
from typing import Any

from ._sockets import rebind_on

#: Sockets a mutant leaked on purpose; kept referenced so that no finaliser closes them.
LEAKED: list[socket.socket] = []


class ActivatesLazily(socketserver.TCPServer):
    """The constructor binds but does not listen; listening waits for the first serve call."""

    _activated = False

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        if bind_and_activate:
            self.server_bind()

    def server_activate(self) -> None:
        self._activated = True
        super().server_activate()

    def _activate_late(self) -> None:
        if not self._activated:
            self.server_activate()

    def handle_request(self) -> None:
        self._activate_late()
        super().handle_request()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._activate_late()
        super().serve_forever(poll_interval)


class WrapsHandlerClass(socketserver.TCPServer):
    """RequestHandlerClass is a wrapper around the class given to the constructor."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, functools.partial(RequestHandlerClass), bind_and_activate)


class LeaksSocketWhenBindFails(socketserver.TCPServer):
    """When binding or activating fails in the constructor, the socket is left open."""

    _constructed = False

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self._constructed = True

    def server_close(self) -> None:
        if not self._constructed:
            LEAKED.append(self.socket)
            return
        super().server_close()


def _dual_stack_socket(socket_type: int) -> socket.socket:
    """An IPv6 socket that also serves IPv4 through mapped addresses."""
    sock = socket.socket(socket.AF_INET6, socket_type)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    return sock


def _mapped(address: Any) -> Any:
    host, port = address[0], address[1]
    return ("::ffff:" + host, port) if isinstance(host, str) and "." in host else address


class TCPServerOnIPv6Socket(socketserver.TCPServer):
    """A TCPServer that serves IPv4 clients from an AF_INET6 dual-stack socket."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        rebind_on(self, _dual_stack_socket(self.socket_type), bind_and_activate)

    def server_bind(self) -> None:
        self.server_address = _mapped(self.server_address)
        super().server_bind()


class UDPServerOnIPv6Socket(socketserver.UDPServer):
    """A UDPServer that receives IPv4 datagrams on an AF_INET6 dual-stack socket."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, False)
        rebind_on(self, _dual_stack_socket(self.socket_type), bind_and_activate)

    def server_bind(self) -> None:
        self.server_address = _mapped(self.server_address)
        super().server_bind()


if hasattr(socket, "AF_UNIX"):

    class UnixStreamServerOnSeqpacket(socketserver.UnixStreamServer):
        """A UnixStreamServer whose socket is SOCK_SEQPACKET, which stream clients cannot reach."""

        def __init__(
            self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
        ) -> None:
            super().__init__(server_address, RequestHandlerClass, False)
            rebind_on(self, socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET), bind_and_activate)

    class UnixDatagramServerOnSeqpacket(socketserver.UnixDatagramServer):
        """A UnixDatagramServer whose socket is SOCK_SEQPACKET, so datagrams cannot reach it."""

        def __init__(
            self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
        ) -> None:
            super().__init__(server_address, RequestHandlerClass, False)
            rebind_on(self, socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET), bind_and_activate)


class SecretlyConcurrent(socketserver.TCPServer):
    """A server without a mix-in that still handles each request in a new thread."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._workers: list[threading.Thread] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self._work, args=(request, client_address), name="sockspec-mutant-worker"
        )
        self._workers.append(worker)
        worker.start()

    def _work(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        for worker in self._workers:
            worker.join()
        self._workers.clear()


class MixinShadowedByBase(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Lists ThreadingMixIn first, yet handles requests with TCPServer's own process_request."""

    def process_request(self, request: Any, client_address: Any) -> None:
        socketserver.TCPServer.process_request(self, request, client_address)


class HandleRunsTwice(socketserver.BaseRequestHandler):
    """A handler base class that runs handle() twice for each request."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        try:
            self.handle()
            self.handle()
        finally:
            self.finish()


if hasattr(os, "fork"):

    class ForkingSharesState(socketserver.ForkingTCPServer):
        """Claims to fork but runs each handler in a thread of the server process."""

        def process_request(self, request: Any, client_address: Any) -> None:
            worker = threading.Thread(
                target=self._work, args=(request, client_address), name="sockspec-mutant-worker"
            )
            worker.start()
            worker.join()

        def _work(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)


def _own_children() -> list[int]:
    """This process's child PIDs, read from /proc (Linux)."""
    children: list[int] = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as listing:
                children.extend(int(pid) for pid in listing.read().split())
        except OSError:
            continue
    return children


class KillsForkedChildren(socketserver.BaseRequestHandler):
    """A handler base class whose finish() kills any child process forked in handle()."""

    def setup(self) -> None:
        self._children_before = set(_own_children())

    def finish(self) -> None:
        for pid in set(_own_children()) - self._children_before:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                continue

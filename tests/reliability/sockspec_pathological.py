"""Pathological servers the conformance suite must survive (imported by the CLI in tests).

Each class misbehaves in a way that could stall or litter a naive test run: it
hangs, ignores shutdown, raises from server_close, leaks sockets or threads, or
forks children that never exit and are never reaped.
"""

from __future__ import annotations

import os
import socket
import socketserver
import threading
from typing import Any

#: Sockets and threads leaked on purpose, kept referenced so nothing closes them.
LEAKED_SOCKETS: list[socket.socket] = []
LEAKED_THREADS: list[threading.Thread] = []


def _forever() -> None:
    threading.Event().wait()


class HangingHandleRequest(socketserver.TCPServer):
    """handle_request blocks forever, whether or not a request arrives."""

    def handle_request(self) -> None:
        _forever()


class IgnoresShutdown(socketserver.TCPServer):
    """serve_forever never returns, so shutdown() never returns either."""

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self.timeout = poll_interval
        while True:
            try:
                self.handle_request()
            except (OSError, ValueError):
                threading.Event().wait(poll_interval)


class CloseRaises(socketserver.TCPServer):
    """server_close closes the socket and then raises."""

    def server_close(self) -> None:
        super().server_close()
        raise RuntimeError("server_close failed on purpose")


class LeaksSockets(socketserver.TCPServer):
    """Opens a socket per request and never closes it."""

    def process_request(self, request: Any, client_address: Any) -> None:
        LEAKED_SOCKETS.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        super().process_request(request, client_address)


class LeaksThreads(socketserver.TCPServer):
    """Starts a (daemon) thread per request that never ends."""

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=_forever, name="pathological-leak", daemon=True)
        thread.start()
        LEAKED_THREADS.append(thread)
        super().process_request(request, client_address)


if hasattr(os, "fork"):

    class ForksForever(socketserver.ForkingTCPServer):
        """Forks a child per request that never exits, and never reaps any child."""

        def process_request(self, request: Any, client_address: Any) -> None:
            if os.fork():
                self.close_request(request)
                return
            try:
                self.finish_request(request, client_address)
                self.shutdown_request(request)
            finally:
                _forever()
                os._exit(0)

        def collect_children(self, *, blocking: bool = False) -> None:
            return None

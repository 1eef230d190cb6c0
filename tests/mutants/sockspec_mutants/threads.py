"""Mutants of ThreadingMixIn (as ThreadingTCPServer subclasses)."""

from __future__ import annotations

import socketserver
import threading
from typing import Any


class RunsRequestsSerially(socketserver.ThreadingTCPServer):
    """Starts a thread per request but waits for it before accepting the next one."""

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address)
        )
        worker.daemon = self.daemon_threads
        worker.start()
        worker.join()


class IgnoresDaemonThreads(socketserver.ThreadingTCPServer):
    """Request threads are never daemon threads, whatever daemon_threads says."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._workers: list[threading.Thread] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address)
        )
        worker.daemon = False
        self._workers = [thread for thread in self._workers if thread.is_alive()]
        self._workers.append(worker)
        worker.start()

    def server_close(self) -> None:
        super().server_close()
        for worker in self._workers:
            worker.join()
        self._workers.clear()


class CloseDoesNotJoin(socketserver.ThreadingTCPServer):
    """server_close returns without joining request threads, even with block_on_close."""

    def server_close(self) -> None:
        socketserver.TCPServer.server_close(self)

"""Mutants of ThreadingMixIn (as ThreadingTCPServer subclasses)."""

from __future__ import annotations

import os
import socketserver
import threading
from typing import Any, Callable, cast


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


class ExitDoesNotWaitForHandlers(socketserver.ThreadingTCPServer):
    """Makes the interpreter exit at shutdown without waiting for running handler threads."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)
        self._running: set[threading.Thread] = set()
        # threading runs these hooks before it joins the non-daemon threads at exit.
        register = cast("Callable[[Callable[[], None]], None]", vars(threading)["_register_atexit"])
        register(self._exit_now_if_busy)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        self._running.add(threading.current_thread())
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._running.discard(threading.current_thread())

    def _exit_now_if_busy(self) -> None:
        if any(thread.is_alive() for thread in list(self._running)):
            os._exit(0)


class AlwaysJoinsOnClose(socketserver.ThreadingTCPServer):
    """server_close waits for request threads even when block_on_close is false."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._every_worker: list[threading.Thread] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        self._every_worker.append(threading.current_thread())
        super().process_request_thread(request, client_address)

    def server_close(self) -> None:
        super().server_close()
        for worker in list(self._every_worker):
            if worker is not threading.current_thread():
                worker.join()
        self._every_worker.clear()


class ThreadingHandleTimeoutReturnsValue(socketserver.ThreadingTCPServer):
    """handle_timeout of a threading server returns a value instead of None."""

    def handle_timeout(self) -> None:
        return True  # type: ignore[return-value]


class CloseLeavesThreads(socketserver.ThreadingTCPServer):
    """server_close returns while request threads still run, block_on_close notwithstanding."""

    def server_close(self) -> None:
        socketserver.TCPServer.server_close(self)

"""Mutants of the behaviours the catalogue gained when its overclaims were narrowed (issue 16).

Each breaks exactly one new clause: the stdlib behaviour a narrowed clause's note names
(a socket timeout in handle_request, a shutdown after a finished loop, daemon threads
at server_close) or a documented behaviour no clause covered before.
"""

from __future__ import annotations

import contextlib
import io
import os
import selectors
import socket
import socketserver
import threading
from typing import Any

from ._loop import LoopTCPServer


class ShutdownWaitsForNextLoop(LoopTCPServer):
    """shutdown() after a finished loop waits for a loop that is not running."""

    def shutdown(self) -> None:
        self._loop_finished.clear()
        super().shutdown()


class SwallowsBaseExceptions(LoopTCPServer):
    """A handler's BaseException stops inside handle_request() instead of propagating."""

    def handle_request(self) -> None:
        try:
            super().handle_request()
        except Exception:
            raise
        except BaseException:
            return


class KeepsRejectedRequestsOpen(LoopTCPServer):
    """A request verify_request() rejects is kept open (closed only by server_close)."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._rejected: list[Any] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def serve_ready_request(self) -> None:
        try:
            request, client_address = self.accept_request()
        except OSError:
            return
        if not self.verify_request(request, client_address):
            self._rejected.append(request)
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.report_error(request, client_address)
            self.clean_up_failed_request(request)

    def server_close(self) -> None:
        super().server_close()
        for request in self._rejected:
            request.close()
        self._rejected.clear()


class IdleLoopNeverWakes(LoopTCPServer):
    """serve_forever() sleeps until a request or shutdown() comes: poll_interval paces nothing."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._loop_finished.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_reader, selectors.EVENT_READ)
                while not self.stop_was_requested():
                    events = selector.select(None)
                    if self.stop_was_requested():
                        break
                    if any(key.fileobj is self for key, _ in events):
                        self.serve_ready_request()
                    self.run_service_actions()
        finally:
            self._stop_requested.clear()
            with contextlib.suppress(BlockingIOError):
                self._wake_reader.setblocking(False)
                while self._wake_reader.recv(64):
                    pass
            self.announce_loop_finished()

    def shutdown(self) -> None:
        self._stop_requested.set()
        self._wake_writer.send(b"x")
        self._loop_finished.wait()

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()


class DaemonThreadsJoinedOnClose(socketserver.ThreadingTCPServer):
    """server_close() joins every request thread, daemon threads too."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._every_thread: list[threading.Thread] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def process_request(self, request: Any, client_address: Any) -> None:
        worker = threading.Thread(
            target=self.process_request_thread, args=(request, client_address)
        )
        worker.daemon = self.daemon_threads
        self._every_thread = [thread for thread in self._every_thread if thread.is_alive()]
        self._every_thread.append(worker)
        worker.start()

    def server_close(self) -> None:
        super().server_close()
        for worker in self._every_thread:
            worker.join()
        self._every_thread.clear()


class ThreadingButForks(socketserver.ThreadingTCPServer):
    """Claims to be a threading server but handles each request in a forked child."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._children: list[int] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def process_request(self, request: Any, client_address: Any) -> None:
        pid = os.fork()
        if pid == 0:  # the child handles the request and never returns
            status = 1
            try:
                self.finish_request(request, client_address)
                self.shutdown_request(request)
                status = 0
            finally:
                os._exit(status)
        self._children.append(pid)
        self.close_request(request)

    def server_close(self) -> None:
        super().server_close()
        for pid in self._children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self._children.clear()


class _NotBuffered(io.RawIOBase):
    """Reads a datagram's bytes but is a raw stream, not an io.BufferedIOBase."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


class DatagramRfileIsRaw(socketserver.DatagramRequestHandler):
    """rfile reads the datagram but is a raw stream, without read1 or buffering."""

    def setup(self) -> None:
        super().setup()
        self.rfile = _NotBuffered(self.packet)  # type: ignore[assignment]


class _WriteCountsNothing(io.BytesIO):
    """Keeps what is written but returns None from write()."""

    def write(self, data: Any) -> Any:
        super().write(data)
        return None


class DatagramWfileWriteReturnsNone(socketserver.DatagramRequestHandler):
    """wfile.write returns None instead of the number of bytes taken."""

    def setup(self) -> None:
        super().setup()
        self.wfile = _WriteCountsNothing()


class UDPServerStripsLineEnds(socketserver.UDPServer):
    """Hands handlers each datagram without its line end, unlike a stream server's bytes."""

    def get_request(self) -> tuple[tuple[bytes, socket.socket], Any]:  # type: ignore[override]
        data, client_address = self.socket.recvfrom(self.max_packet_size)
        return (data.rstrip(b"\r\n"), self.socket), client_address

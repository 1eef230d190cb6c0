"""A TCPServer whose request loop is written out here, step by step.

The stdlib keeps its loop in private methods; mutants that break one step of
``serve_forever``, ``shutdown`` or ``handle_request`` subclass this control
class instead and override a single hook.  The control itself follows the
documented behaviour (Python 3.13 socketserver docs, Server Objects) and is run
as a baseline, so a failing mutant fails because of its one change.
"""

from __future__ import annotations

import selectors
import socketserver
import threading
import time
from typing import Any, Optional


class LoopTCPServer(socketserver.TCPServer):
    """A TCPServer with its own documented loop; a control that passes every clause."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._stop_requested = threading.Event()
        self._loop_finished = threading.Event()
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._loop_finished.clear()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                while not self.stop_was_requested():
                    ready = selector.select(poll_interval)
                    if self.stop_was_requested():
                        break
                    if ready:
                        self.serve_ready_request()
                    self.run_service_actions()
        finally:
            self._stop_requested.clear()
            self.announce_loop_finished()

    def stop_was_requested(self) -> bool:
        """True once ``shutdown`` asked the loop to stop."""
        return self._stop_requested.is_set()

    def announce_loop_finished(self) -> None:
        """Let a waiting ``shutdown`` return."""
        self._loop_finished.set()

    def run_service_actions(self) -> None:
        """One turn of the loop's periodic work."""
        self.service_actions()

    def shutdown(self) -> None:
        self._stop_requested.set()
        self._loop_finished.wait()

    def handle_request(self) -> None:
        timeout = self._effective_timeout()
        deadline = None if timeout is None else time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            while True:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                if selector.select(remaining):
                    self.serve_ready_request()
                    return
                if deadline is not None and time.monotonic() >= deadline:
                    self.on_timeout()
                    return

    def on_timeout(self) -> None:
        """What ``handle_request`` does when no request came in time."""
        self.handle_timeout()

    def _effective_timeout(self) -> Optional[float]:
        socket_timeout = self.socket.gettimeout()
        if socket_timeout is None:
            return self.timeout
        if self.timeout is None:
            return socket_timeout
        return min(socket_timeout, self.timeout)

    def accept_request(self) -> tuple[Any, Any]:
        """The get_request step."""
        return self.get_request()

    def serve_ready_request(self) -> None:
        """Accept one ready request, verify it, process it, and clean up after it."""
        try:
            request, client_address = self.accept_request()
        except OSError:
            return
        if not self.verify_request(request, client_address):
            self.shutdown_request(request)
            return
        try:
            self.process_request(request, client_address)
        except Exception:
            self.report_error(request, client_address)
            self.clean_up_failed_request(request)
        except BaseException:
            self.shutdown_request(request)
            raise

    def report_error(self, request: Any, client_address: Any) -> None:
        """The handle_error step after a failed request."""
        self.handle_error(request, client_address)

    def clean_up_failed_request(self, request: Any) -> None:
        """What happens to a request whose processing raised, after handle_error."""
        self.shutdown_request(request)

"""Mutants of the request loop: handle_request, serve_forever and shutdown."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from typing import Any, Optional

from ._loop import LoopTCPServer

#: How many further waiting connections HandleRequestDrainsBacklog serves, at most.
_DRAIN_LIMIT = 8
#: How long it looks for one (seconds): a connection made just before counts as waiting.
_DRAIN_WAIT = 0.2
#: When NoneTimeoutGivesUp stops waiting although timeout is None (seconds).
_GIVE_UP_AFTER = 0.05


class BypassesGetRequest(LoopTCPServer):
    """Accepts from the socket directly, so an overridden get_request is never called."""

    def accept_request(self) -> tuple[Any, Any]:
        return self.socket.accept()


class IgnoresVerifyResult(LoopTCPServer):
    """Calls verify_request but processes the request even when it returns false."""

    def verify_request(self, request: Any, client_address: Any) -> bool:
        super().verify_request(request, client_address)
        return True

    def serve_ready_request(self) -> None:
        try:
            request, client_address = self.accept_request()
        except OSError:
            return
        self.verify_request(request, client_address)
        self.process_request(request, client_address)


class ReportsErrorTwice(LoopTCPServer):
    """Calls handle_error twice for one failing request."""

    def report_error(self, request: Any, client_address: Any) -> None:
        self.handle_error(request, client_address)
        self.handle_error(request, client_address)


class ErrorStopsServing(LoopTCPServer):
    """Lets a handler's exception escape handle_request instead of calling handle_error."""

    def report_error(self, request: Any, client_address: Any) -> None:
        self.shutdown_request(request)
        raise RuntimeError("sockspec mutant: the handler's error escaped handle_request")


class SkipsHandleTimeout(LoopTCPServer):
    """Returns from handle_request after the timeout without calling handle_timeout."""

    def on_timeout(self) -> None:
        return None


class ServesFirstRequestOnly(LoopTCPServer):
    """serve_forever handles the first request, then accepts and drops every later one."""

    _served_in_loop = 0

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._served_in_loop = 0
        super().serve_forever(poll_interval)

    def serve_ready_request(self) -> None:
        self._served_in_loop += 1
        if self._served_in_loop == 1:
            super().serve_ready_request()
            return
        try:
            request, _ = self.socket.accept()
        except OSError:
            return
        request.close()


class NoServiceActions(LoopTCPServer):
    """serve_forever never calls service_actions."""

    def run_service_actions(self) -> None:
        return None


class ShutdownIgnored(LoopTCPServer):
    """shutdown returns at once and serve_forever keeps running until server_close."""

    def shutdown(self) -> None:
        return None

    def stop_was_requested(self) -> bool:
        # The loop ends only when the listening socket has been closed.
        return self.socket.fileno() < 0


class ShutdownDoesNotWait(LoopTCPServer):
    """shutdown asks the loop to stop but returns before serve_forever has returned."""

    _linger_seconds = 0.5

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._never_set = threading.Event()
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def shutdown(self) -> None:
        self._stop_requested.set()

    def announce_loop_finished(self) -> None:
        # Linger so that a caller of shutdown() can see the loop still running.
        self._never_set.wait(self._linger_seconds)
        super().announce_loop_finished()


class HandleRequestDrainsBacklog(LoopTCPServer):
    """handle_request also serves every further connection already waiting, not just one."""

    def handle_request(self) -> None:
        super().handle_request()
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            for _ in range(_DRAIN_LIMIT):
                if not selector.select(_DRAIN_WAIT):
                    return
                self.serve_ready_request()


class NoneTimeoutGivesUp(LoopTCPServer):
    """With timeout None, handle_request gives up after a short while and calls handle_timeout."""

    def _effective_timeout(self) -> Optional[float]:
        chosen = super()._effective_timeout()
        return _GIVE_UP_AFTER if chosen is None else chosen


class IgnoresSocketTimeout(LoopTCPServer):
    """handle_request waits on the timeout attribute alone, ignoring the socket's timeout."""

    def _effective_timeout(self) -> Optional[float]:
        return self.timeout


class LongTimeoutOverflows(LoopTCPServer):
    """handle_request fails with a long timeout, as a deadline of time() ** timeout does."""

    def handle_request(self) -> None:
        if self.timeout is not None and self.timeout > 60:
            raise OverflowError("deadline out of range")
        super().handle_request()


class ServeForeverHonoursTimeout(LoopTCPServer):
    """serve_forever calls handle_timeout whenever a poll finds no request within timeout."""

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        if self.timeout is not None:
            poll_interval = min(poll_interval, self.timeout)
        super().serve_forever(poll_interval)

    def run_service_actions(self) -> None:
        if self.timeout is not None:
            self.handle_timeout()
        super().run_service_actions()


class ShutdownReturnsWhenIdle(LoopTCPServer):
    """shutdown returns at once when no serve_forever runs, instead of waiting for one."""

    _looping = False

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._looping = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._looping = False

    def shutdown(self) -> None:
        if not self._looping:
            # Leave the stop request, so that a loop started later still ends at once.
            self._stop_requested.set()
            return
        super().shutdown()


class HandleErrorCatchesEverything(LoopTCPServer):
    """Calls handle_error for any exception from a handler, KeyboardInterrupt included."""

    def serve_ready_request(self) -> None:
        try:
            request, client_address = self.accept_request()
        except OSError:
            return
        if not self.verify_request(request, client_address):
            self.shutdown_request(request)
            return
        try:
            self.process_request(request, client_address)
        except BaseException:
            self.report_error(request, client_address)
            self.shutdown_request(request)


class KeepsFailedRequestsOpen(LoopTCPServer):
    """A request whose handler raised is shut down for writing but its socket is never closed."""

    def __init__(
        self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
    ) -> None:
        self._kept: list[socket.socket] = []
        super().__init__(server_address, RequestHandlerClass, bind_and_activate)

    def clean_up_failed_request(self, request: Any) -> None:
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_WR)
        self._kept.append(request)

"""Mutants of ForkingMixIn (as ForkingTCPServer subclasses; POSIX only)."""

from __future__ import annotations

import os
import socket
import socketserver
from typing import Any, Optional

if hasattr(os, "fork"):

    class HandlesInParent(socketserver.ForkingTCPServer):
        """Handles each request in the server process instead of a child."""

        def process_request(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    class NeverReaps(socketserver.ForkingTCPServer):
        """Never waits for its children, so finished ones stay zombies."""

        def collect_children(self, *, blocking: bool = False) -> None:
            return None

    class IgnoresMaxChildren(socketserver.ForkingTCPServer):
        """Keeps forking past max_children instead of waiting for a child to finish."""

        def collect_children(self, *, blocking: bool = False) -> None:
            for pid in list(self.active_children or ()):
                try:
                    finished, _ = os.waitpid(pid, 0 if blocking else os.WNOHANG)
                except ChildProcessError:
                    finished = pid
                if finished and self.active_children is not None:
                    self.active_children.discard(pid)

    class ParentKeepsRequest(socketserver.ForkingTCPServer):
        """After forking, the parent keeps its copy of the request open until server_close."""

        def __init__(
            self, server_address: Any, RequestHandlerClass: Any, bind_and_activate: bool = True
        ) -> None:
            self._server_pid = os.getpid()
            self._kept: list[socket.socket] = []
            super().__init__(server_address, RequestHandlerClass, bind_and_activate)

        def close_request(self, request: Any) -> None:
            if os.getpid() == self._server_pid:
                self._kept.append(request)
            else:
                super().close_request(request)

        def server_close(self) -> None:
            super().server_close()
            for request in self._kept:
                request.close()
            self._kept.clear()

    class ServiceActionsDoesNotCollect(socketserver.ForkingTCPServer):
        """service_actions leaves finished children uncollected."""

        def service_actions(self) -> None:
            return None

    class ServiceActionsWaitsForChildren(socketserver.ForkingTCPServer):
        """service_actions waits for every running child, so requests are served one by one."""

        def service_actions(self) -> None:
            self.collect_children(blocking=True)

    class ChildExitsNonZero(socketserver.ForkingTCPServer):
        """A request child exits with status 3 although its request was handled."""

        def finish_request(self, request: Any, client_address: Any) -> None:
            super().finish_request(request, client_address)
            os._exit(3)

    class ChildExitsZeroAfterError(socketserver.ForkingTCPServer):
        """A request child whose handler raised reports the error and still exits with 0.

        finish_request() catches the handler's exception and calls handle_error() itself,
        so the child's exit status cannot tell a failed request from a served one.
        """

        def finish_request(self, request: Any, client_address: Any) -> None:
            try:
                super().finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)

    class ChokesOnReapedChild(socketserver.ForkingTCPServer):
        """collect_children raises ChildProcessError for a child reaped elsewhere."""

        def collect_children(self, *, blocking: bool = False) -> None:
            for pid in list(self.active_children or ()):
                finished, _ = os.waitpid(pid, 0 if blocking else os.WNOHANG)
                if finished and self.active_children is not None:
                    self.active_children.discard(pid)

    class HandleTimeoutDoesNotCollect(socketserver.ForkingTCPServer):
        """handle_timeout leaves finished children uncollected."""

        def handle_timeout(self) -> None:
            return None

    class CloseDoesNotWaitForChildren(socketserver.ForkingTCPServer):
        """server_close does not wait for running children, even with block_on_close."""

        def server_close(self) -> None:
            socketserver.TCPServer.server_close(self)
            self.collect_children(blocking=False)

    class CloseAlwaysWaitsForChildren(socketserver.ForkingTCPServer):
        """server_close waits for every child even when block_on_close is false."""

        def server_close(self) -> None:
            socketserver.TCPServer.server_close(self)
            self.collect_children(blocking=True)

    class CloseLeavesChildren(socketserver.ForkingTCPServer):
        """server_close returns with children neither finished nor collected."""

        def server_close(self) -> None:
            socketserver.TCPServer.server_close(self)

    class KeepsListeningWhileChildrenRun(socketserver.ForkingTCPServer):
        """server_close keeps a copy of the listening socket while children still run.

        The copy is meant to go when the children are collected, but with block_on_close
        false nothing collects them after server_close, so the server keeps accepting
        connections after its last child has exited.  Without a running child, or with
        block_on_close true, it closes like ForkingTCPServer.
        """

        _kept_listening: Optional[socket.socket] = None

        def server_close(self) -> None:
            # A later call (the harness closes every server again) collects the exited
            # children and so releases the copy: the mutant leaks nothing past its owner.
            if self.active_children and self._kept_listening is None and self.fileno() >= 0:
                self._kept_listening = self.socket.dup()
            super().server_close()

        def collect_children(self, *, blocking: bool = False) -> None:
            super().collect_children(blocking=blocking)
            if not self.active_children and self._kept_listening is not None:
                self._kept_listening.close()
                self._kept_listening = None

"""Mutants of ForkingMixIn (as ForkingTCPServer subclasses; POSIX only)."""

from __future__ import annotations

import os
import socketserver
from typing import Any

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

"""Mutants of the stream-request edges and loop restarts the catalogue covers since the
cosmic-ray pass (``docs/mutation.rst``).

Each one breaks exactly one of those clauses the way a hand-written implementation could:
a flag that is never cleared, a shutdown that trusts the client is still there, a handler
that forgets an option or flushes a file it no longer owns.
"""

from __future__ import annotations

import socket
import socketserver
from typing import Any

from ._loop import LoopTCPServer


class StopRequestNeverCleared(LoopTCPServer):
    """Once shutdown() stopped a loop, every later serve_forever() stops at once.

    The stop request is remembered for good instead of being used up by the loop it ended,
    so a second serve_forever() returns without serving anything.
    """

    _stopped_once = False

    def stop_was_requested(self) -> bool:
        if super().stop_was_requested():
            self._stopped_once = True
        return self._stopped_once


class ShutdownTrustsTheClient(socketserver.TCPServer):
    """shutdown_request() lets the error out when the client has already reset.

    It half-closes the connection without guarding the call, so the ENOTCONN of a
    connection the client reset escapes handle_request(), and close_request() is skipped
    (the socket object closes when it is garbage-collected).
    """

    def shutdown_request(self, request: Any) -> None:
        request.shutdown(socket.SHUT_WR)
        self.close_request(request)


class FlushesClosedWfile(socketserver.StreamRequestHandler):
    """finish() flushes wfile without looking whether handle() already closed it."""

    def finish(self) -> None:
        self.wfile.flush()  # ValueError on a wfile that handle() closed
        self.wfile.close()
        self.rfile.close()


class ForcesBlockingRequests(socketserver.StreamRequestHandler):
    """setup() makes the request socket blocking again, dropping the handler's timeout.

    Meant to undo a non-blocking mode inherited from the listening socket, it also undoes
    the timeout that the handler's ``timeout`` attribute has just set.
    """

    def setup(self) -> None:
        super().setup()
        self.connection.setblocking(True)


class AlwaysUnbufferedWfile(socketserver.StreamRequestHandler):
    """wfile is unbuffered whatever wbufsize the subclass chose."""

    def setup(self) -> None:
        super().setup()
        if self.wbufsize != 0:
            self.wfile.close()  # nothing written yet: closing loses nothing
            self.wfile = self.connection.makefile("wb", buffering=0)

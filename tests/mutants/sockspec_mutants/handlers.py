"""Mutants of the request handler classes."""

from __future__ import annotations

import io
import socketserver
from typing import Any


class FinishBeforeHandle(socketserver.BaseRequestHandler):
    """Calls setup, then finish, then handle."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        self.finish()
        self.handle()


class SkipsFinishOnError(socketserver.BaseRequestHandler):
    """Does not call finish when handle raises."""

    def __init__(self, request: Any, client_address: Any, server: Any) -> None:
        self.request = request
        self.client_address = client_address
        self.server = server
        self.setup()
        self.handle()
        self.finish()


class EmptyRfile(socketserver.StreamRequestHandler):
    """rfile reads nothing: it is an empty buffer instead of the connection."""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = io.BytesIO()


class DiscardingWfile(socketserver.StreamRequestHandler):
    """What the handler writes to wfile never reaches the client."""

    def setup(self) -> None:
        super().setup()
        self.wfile.close()
        self.wfile = io.BytesIO()


class DatagramReplyDropped(socketserver.DatagramRequestHandler):
    """finish never sends what the handler wrote to wfile."""

    def finish(self) -> None:
        return None

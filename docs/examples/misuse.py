"""A hand-written server that misses documented members."""

from __future__ import annotations

from sockspec.spec import classic


class OnlyHandleRequest:
    """Handles requests, but forgot fileno(), server_address..."""

    def handle_request(self) -> None:
        print("handled one request")


def serve_one(server: classic.BaseServer) -> None:
    server.handle_request()


serve_one(OnlyHandleRequest())  # expected error: not a BaseServer

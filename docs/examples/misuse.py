"""A hand-written server that misses documented members: both checkers reject it."""

from __future__ import annotations

from sockspec.spec import classic


class OnlyHandleRequest:
    """Serves one request at a time, but forgot fileno(), server_address and the rest."""

    def handle_request(self) -> None:
        print("handled one request")


def serve_one(server: classic.BaseServer) -> None:
    server.handle_request()


serve_one(OnlyHandleRequest())  # expected error: not a classic.BaseServer

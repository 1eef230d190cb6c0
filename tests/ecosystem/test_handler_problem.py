"""A handler the servers cannot build with (request, client_address, server) is one problem.

Found on dulwich 1.2.21's TCPGitRequestHandler(handlers, request, client_address, server):
without this, every handler check failed for the same cause.  Small fakes, no package.
"""

from __future__ import annotations

import socketserver

from sockspec.conformance.harness import construction_problem
from sockspec.conformance.targets import Target


class ExtraFirstArgument(socketserver.StreamRequestHandler):
    """Takes a dispatch table before the three documented arguments."""

    def __init__(self, handlers: object, request: object, client_address: object, server: object):
        self.handlers = handlers
        super().__init__(request, client_address, server)  # type: ignore[arg-type]


class RenamedArguments(socketserver.StreamRequestHandler):
    """The documented three, under other names (websocket-server's spelling)."""

    def __init__(self, socket: object, addr: object, server: object) -> None:
        super().__init__(socket, addr, server)  # type: ignore[arg-type]


def _handler(cls: type) -> Target:
    return Target(f"fake:{cls.__name__}", cls, "handler", frozenset({"handler", "stream-handler"}))


def test_handler_needing_a_fourth_argument_is_a_construction_problem() -> None:
    """The problem names the parameters and the documented call."""
    problem = construction_problem(_handler(ExtraFirstArgument))
    assert problem is not None
    assert "(handlers, request, client_address, server)" in problem
    assert "not (request, client_address, server)" in problem


def test_handlers_with_the_documented_call_have_no_problem() -> None:
    """Renamed positional parameters and the stdlib handlers are built as documented."""
    for cls in (
        RenamedArguments,
        socketserver.StreamRequestHandler,
        socketserver.BaseRequestHandler,
    ):
        assert construction_problem(_handler(cls)) is None

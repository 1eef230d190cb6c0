"""Run-time evidence for the typed contract (the catalogue's ``static`` clauses).

mypy and pyright decide these clauses for code that is type-checked (see
``tests/typing``); an implementation under test may not be, so these checks
look at the values it actually returns and stores.
"""

from __future__ import annotations

import inspect
import socket
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sockspec import spec
from sockspec.conformance.checks._helpers import tracked_socketpair
from sockspec.conformance.harness import Harness, TargetLike


@pytest.mark.clause("server.fileno.returns_int")
def test_fileno_returns_int(target: TargetLike, harness: Harness) -> None:
    """fileno() returns an int."""
    value: object = harness.make_server().fileno()
    is_int = isinstance(value, int) and not isinstance(value, bool)
    assert is_int, f"expected fileno() to return an int; got {type(value).__name__}"


@pytest.mark.clause("server.verify_request.returns_bool")
def test_verify_request_returns_bool(target: TargetLike, harness: Harness) -> None:
    """verify_request(request, client_address) returns a bool."""
    server = harness.make_server()
    left, _ = tracked_socketpair(harness)
    value: object = server.verify_request(left, ("127.0.0.1", 4321))
    assert isinstance(value, bool), f"expected a bool; got {type(value).__name__}"


@pytest.mark.clause("server.get_request.returns_tuple")
def test_get_request_returns_two_tuple(target: TargetLike, harness: Harness) -> None:
    """get_request() returns a tuple of two items."""
    server = harness.make_server()
    harness.send(server)
    value: object = server.get_request()
    assert isinstance(value, tuple), f"expected a tuple; got {type(value).__name__}"
    items = cast("Sequence[Any]", value)
    if isinstance(items[0], socket.socket):
        harness.track(items[0])
    assert len(items) == 2, f"expected 2 items; got {len(items)}"


@pytest.mark.clause("server.request_handler_class.handler_type")
def test_request_handler_class_is_a_handler_class(target: TargetLike, harness: Harness) -> None:
    """RequestHandlerClass is a class built as Handler(request, client_address, server)."""
    handler = harness.reply_handler()
    server = harness.make_server(handler)
    value: object = server.RequestHandlerClass
    assert isinstance(value, type), f"expected a class; got {value!r}"
    try:
        inspect.signature(value).bind(object(), ("127.0.0.1", 1), server)
    except TypeError as error:
        pytest.fail(f"expected it to accept (request, client_address, server): {error}")


@pytest.mark.clause("handler.server.typed")
def test_handler_server_is_a_server(target: TargetLike, harness: Harness) -> None:
    """A handler's server attribute is a server object with the documented members."""
    seen: list[object] = []

    def handle(self: Any) -> None:
        seen.append(self.server)

    handler = type("Observing", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler)
    harness.exchange(server, b"", expect_reply=False, end=True)
    assert seen, "expected the handler to run"
    problems = [f"{p.member}: {p.message}" for p in spec.verify(seen[0], spec.BaseServer)]
    assert not problems, f"expected self.server to provide the server interface; {problems}"

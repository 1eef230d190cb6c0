"""Set-ups several check modules share (check-only; the general tools are in the harness)."""

from __future__ import annotations

import os
import socket
import types
from collections.abc import Mapping
from typing import Any, Optional, cast

import pytest
from sockspec.conformance.harness import (
    Harness,
    HarnessError,
    Recorder,
    ReplyHandler,
    TargetLike,
)
from sockspec.conformance.preconditions import blocked
from sockspec.conformance.targets import implementation_module as find_implementation

__all__ = [
    "GetRequestSpy",
    "clause_param",
    "configured_server",
    "exchange_with_state_change",
    "implementation_module",
    "instance_recording_handler",
    "quiet_server",
    "recording_server",
    "served_with_get_request_spy",
    "tracked_socketpair",
    "unbound_server",
]


class GetRequestSpy:
    """Wraps the target's own ``get_request`` to keep what each call returned.

    Pass :attr:`attrs` (merged with any other overrides) to ``harness.make_server``;
    the pairs are then in :attr:`results`, in call order.
    """

    def __init__(self, harness: Harness) -> None:
        self.results: list[tuple[Any, Any]] = []
        base = harness.server_base()
        results = self.results

        def get_request(server: Any) -> Any:
            result = base.get_request(server)
            results.append(result)
            return result

        self.attrs: dict[str, object] = {"get_request": get_request}

    @property
    def requests(self) -> list[Any]:
        """The request objects returned so far (a socket, or a ``(data, socket)`` pair)."""
        return [result[0] for result in self.results]

    @property
    def addresses(self) -> list[Any]:
        """The client addresses returned so far."""
        return [result[1] for result in self.results]


def clause_param(clause_id: str, *values: object) -> Any:
    """One ``pytest.param`` of a parametrized check that verifies ``clause_id``.

    The parameter carries the check's clause marker (each parametrized case names exactly
    one clause) and is shown by that clause ID in test IDs.
    """
    return pytest.param(*values, marks=pytest.mark.clause(clause_id), id=clause_id)


def served_with_get_request_spy(harness: Harness) -> tuple[bytes, list[Any]]:
    """One request sent, handled by one ``handle_request`` and read back, ``get_request`` spied.

    Returns the client's reply (read up to EOF) and the request objects the target's own
    ``get_request`` returned: checks look at what the server did with them afterwards.
    """
    spy = GetRequestSpy(harness)
    server = harness.make_server(attrs=spy.attrs)
    client = harness.send(server)
    harness.handle_one(server)
    reply = harness.reply(client)  # raises HangError when no EOF arrives
    return reply, spy.requests


def recording_server(
    harness: Harness, *hooks: str, attrs: Optional[Mapping[str, object]] = None
) -> tuple[Any, Recorder]:
    """A server whose calls of ``hooks`` are recorded (its class sets ``attrs``); its recorder."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, attrs=attrs, record=hooks)
    return server, recorder


def instance_recording_handler(harness: Harness, recorder: Recorder, hook: str) -> type:
    """A subclass of the handler base whose ``hook`` only records an ``instance`` event.

    The event's values are the process ID and the instance's ``id()``: distinct values mean
    distinct instances.  The instances are kept alive, so that no ``id()`` is reused.
    """
    keep: list[object] = []

    def recorded(self: Any) -> None:
        keep.append(self)
        recorder.record("instance", os.getpid(), id(self))

    return type("Counting", (harness.handler_base(),), {hook: recorded})


def implementation_module(target: TargetLike) -> types.ModuleType:
    """The socketserver implementation module of the target (its trait ``implementation``).

    The clauses about the module itself apply only to targets with that trait (the
    catalogue's ``applies_to``); a target given it by hand whose module is none fails.
    """
    module = find_implementation(target.spec, target.obj)
    assert module is not None, (
        f"expected {target.obj.__module__} to be a socketserver implementation (it defines no"
        " TCPServer and BaseRequestHandler), as the trait implementation says"
    )
    return module


def quiet_server(harness: Harness, handler: type, recorder: Recorder) -> Any:
    """A server for ``handler`` whose handle_error only records a ``handle_error`` event.

    For handler checks whose handler fails on purpose: no traceback in the output.
    """

    def handle_error(server: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error")

    return harness.make_server(handler, recorder=recorder, attrs={"handle_error": handle_error})


def exchange_with_state_change(harness: Harness) -> tuple[Any, list[str]]:
    """One request whose handler changes the server object and a list of this process.

    Returns the server (its ``marker`` was ``"original"`` before the request) and the
    list, once the handler has replied: whether the changes show here says whether
    handlers share the server's memory (threads) or not (forked children).
    """
    shared: list[str] = []
    recorder = harness.recorder()

    class Mutating(ReplyHandler):
        def handle(self) -> None:
            shared.append("changed by the handler")
            owner: Any = self.server
            owner.marker = "changed by the handler"
            super().handle()

    handler = type("Mutating", (Mutating,), {"recorder": recorder, "io_timeout": harness.timeout})
    server = harness.make_server(handler)
    server.marker = "original"
    reply = harness.exchange(server)
    assert reply.startswith(b"reply:"), f"expected a reply; got {reply!r}"
    assert recorder.wait_count("replied", 1, harness.timeout), "expected the handler to run"
    return server, shared


def tracked_socketpair(harness: Harness) -> tuple[socket.socket, socket.socket]:
    """A connected pair of sockets the harness closes at the end of the check.

    For calling a request hook directly (``verify_request``, ``process_request``, ...)
    with a real request object, without a client round trip.
    """
    left, right = socket.socketpair()
    harness.track(left)
    harness.track(right)
    return left, right


def unbound_server(harness: Harness, *, check_unbound: bool = True, **options: Any) -> Any:
    """A server built with ``bind_and_activate=False`` whose socket is indeed not bound yet.

    Checks of server_bind() and server_activate() rest on that: when the constructor
    takes no such parameter, or (with ``check_unbound``) binds anyway, the check is
    blocked by the clause that promises it instead of failing its own.
    """
    try:
        server = harness.make_server(bind_and_activate=False, **options)
    except HarnessError as error:
        blocked("creation.bind_and_activate.parameter", str(error))
    if check_unbound and _is_bound(server.socket):
        blocked(
            "creation.bind_and_activate.deferred",
            f"the socket is bound to {server.socket.getsockname()!r} before server_bind()",
        )
    return server


def _is_bound(sock: socket.socket) -> bool:
    try:
        name: object = sock.getsockname()
    except OSError:
        return False
    if isinstance(name, tuple):
        return cast("tuple[object, ...]", name)[1] != 0
    return name not in ("", b"", None)


def configured_server(
    harness: Harness, handler: Optional[type], attrs: Mapping[str, object]
) -> Any:
    """A server whose class sets ``attrs``, checked to read back as set on the instance.

    Mix-in checks set daemon_threads or block_on_close this way; that a subclass can
    override them is creation.mixin.attributes_tune's promise, so a server that reads
    back another value blocks the check instead of failing it.
    """
    server = harness.make_server(handler, attrs=attrs)
    for name, wanted in attrs.items():
        if callable(wanted):
            continue
        observed = getattr(server, name, _ABSENT)
        if observed is _ABSENT or observed != wanted:
            shown = "absent" if observed is _ABSENT else repr(observed)
            blocked(
                "creation.mixin.attributes_tune",
                f"{name} set to {wanted!r} on the class reads {shown} on the instance",
            )
    return server


_ABSENT = object()

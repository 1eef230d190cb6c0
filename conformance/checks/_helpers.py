"""Set-ups several check modules share (check-only; the general tools are in the harness)."""

from __future__ import annotations

import socket
import sys
import types
from collections.abc import Mapping
from typing import Any, Optional, cast

import pytest
from sockspec.conformance.harness import Harness, HarnessError, Recorder, TargetLike
from sockspec.conformance.preconditions import blocked

__all__ = [
    "GetRequestSpy",
    "configured_server",
    "implementation_module",
    "quiet_server",
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


def implementation_module(target: TargetLike) -> types.ModuleType:
    """The target's module if it is a socketserver implementation; skips the check otherwise."""
    # The module the user named first: implementations may define their classes in
    # submodules and re-export them, as the documented module does not care where.
    for name in (target.spec.split(":")[0].split("[")[0], target.obj.__module__):
        module = sys.modules.get(name)
        if module is not None and all(
            isinstance(getattr(module, member, None), type)
            for member in ("TCPServer", "BaseRequestHandler")
        ):
            return module
    pytest.skip(
        f"not applicable: {target.obj.__module__} is not a socketserver implementation "
        "(it defines no TCPServer and BaseRequestHandler); the clause is about such a module"
    )


def quiet_server(harness: Harness, handler: type, recorder: Recorder) -> Any:
    """A server for ``handler`` whose handle_error only records a ``handle_error`` event.

    For handler checks whose handler fails on purpose: no traceback in the output.
    """

    def handle_error(server: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error")

    return harness.make_server(handler, recorder=recorder, attrs={"handle_error": handle_error})


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

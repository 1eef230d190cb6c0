"""Checks for BaseRequestHandler: its hooks, their order and its attributes.

A handler target runs under a standard-library server of its kind (see
:meth:`Harness.server_base`); each check subclasses the target, wrapping or
replacing only the hook it observes, so the target's other hooks still run.
"""

from __future__ import annotations

import socket
from typing import Any, Optional

import pytest
from sockspec.conformance.checks._helpers import (
    GetRequestSpy,
    clause_param,
    instance_recording_handler,
    quiet_server,
)
from sockspec.conformance.harness import (
    DeliberateFailure,
    Harness,
    Recorder,
    TargetLike,
    as_recorded,
    state_of,
)

HOOKS = ("setup", "handle", "finish")


def _wrapping(base: Any, recorder: Recorder, **replacements: Any) -> type:
    """A subclass of ``base`` whose setup/handle/finish record a call and then run."""
    namespace: dict[str, object] = {}
    for name in HOOKS:
        namespace[name] = replacements.get(name) or _recorded(base, name, recorder)
    return type(f"Recorded{base.__name__}", (base,), namespace)


def _recorded(base: Any, name: str, recorder: Recorder) -> Any:
    original = getattr(base, name)

    def hook(self: Any) -> None:
        recorder.record(name)
        original(self)

    return hook


def _served_once(harness: Harness, failing: Optional[str] = None) -> Recorder:
    """One request through a handler whose hooks record their calls; the recorder.

    With ``failing``, that hook records its call and raises instead of running; the
    server's ``handle_error`` is recorded (see ``quiet_server``).
    """
    recorder = harness.recorder()
    replacements: dict[str, object] = {}
    if failing is not None:

        def fail(self: Any) -> None:
            recorder.record(failing)
            raise DeliberateFailure(f"deliberate {failing} failure from the check")

        replacements[failing] = fail
    handler = _wrapping(harness.handler_base(), recorder, **replacements)
    server = quiet_server(harness, handler, recorder)
    harness.exchange(server, b"", expect_reply=False, end=True)
    return recorder


def _hook_calls(recorder: Recorder) -> list[str]:
    return [name for name in recorder.names() if name in HOOKS]


@pytest.mark.clause("handler.order.setup_handle_finish")
def test_setup_handle_finish_order(target: TargetLike, harness: Harness) -> None:
    """setup(), handle() and finish() each run once, in that order, per request."""
    observed = _hook_calls(_served_once(harness))
    assert observed == list(HOOKS), f"expected {list(HOOKS)}; observed {observed}"


@pytest.mark.clause("handler.instance.per_request")
def test_new_instance_per_request(target: TargetLike, harness: Harness) -> None:
    """Each request gets a handler instance of its own."""
    recorder = harness.recorder()
    server = quiet_server(
        harness, instance_recording_handler(harness, recorder, "handle"), recorder
    )
    for _ in range(3):
        harness.exchange(server, b"", expect_reply=False, end=True)
    distinct = {repr(event.values) for event in recorder.named("instance")}
    assert len(distinct) == 3, f"expected 3 instances for 3 requests; observed {len(distinct)}"


@pytest.mark.clause("handler.attributes.set_before_setup")
def test_attributes_set_before_setup(target: TargetLike, harness: Harness) -> None:
    """request, client_address and server are set before setup() runs."""
    seen: list[tuple[object, object, object]] = []
    base = harness.handler_base()

    def setup(self: Any) -> None:
        seen.append(
            (
                getattr(self, "request", None),
                getattr(self, "client_address", None),
                getattr(self, "server", None),
            )
        )
        base.setup(self)

    handler = type("Observing", (base,), {"setup": setup})
    recorder = harness.recorder()
    server = quiet_server(harness, handler, recorder)
    client = harness.send(server, b"", end=True)
    harness.handle_one(server)
    assert seen, "expected setup() to run"
    request, client_address, owner = seen[0]
    assert request is not None, "expected self.request to be set before setup()"
    assert as_recorded(client_address) == as_recorded(client.getsockname()), (
        f"expected self.client_address {client.getsockname()!r} before setup(); "
        f"got {client_address!r}"
    )
    assert owner is server, f"expected self.server to be the server; got {owner!r}"


@pytest.mark.clause("handler.client_address.from_get_request")
def test_client_address_from_get_request(target: TargetLike, harness: Harness) -> None:
    """A handler's client_address is the address get_request() returned."""
    spy = GetRequestSpy(harness)
    seen: list[object] = []

    def handle(self: Any) -> None:
        seen.append(self.client_address)

    handler = type("Observing", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, attrs=spy.attrs)
    harness.exchange(server, b"", expect_reply=False, end=True)
    assert seen, "expected the handler to run"
    addresses: list[object] = spy.addresses
    assert seen[0] == addresses[0], (
        f"expected client_address {addresses[0]!r} from get_request(); got {seen[0]!r}"
    )


@pytest.mark.clause("handler.request.stream_socket")
def test_stream_request_is_connected_socket(target: TargetLike, harness: Harness) -> None:
    """On a stream server a handler's request is the socket connected to its client."""
    harness.use_transport("stream")
    seen: list[tuple[bool, object]] = []

    def handle(self: Any) -> None:
        request = self.request
        is_socket = isinstance(request, socket.socket)
        seen.append((is_socket, request.getpeername() if is_socket else None))

    handler = type("Observing", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler)
    client = harness.send(server, b"", end=True)
    harness.handle_one(server)
    assert seen, "expected the handler to run"
    is_socket, peer = seen[0]
    assert is_socket, "expected self.request to be a socket"
    assert as_recorded(peer) == as_recorded(client.getsockname()), (
        f"expected a socket connected to {client.getsockname()!r}; its peer is {peer!r}"
    )


def _datagram_request(harness: Harness) -> tuple[object, Any]:
    harness.use_transport("datagram")
    seen: list[object] = []

    def handle(self: Any) -> None:
        seen.append(self.request)

    handler = type("Observing", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler)
    harness.exchange(server, b"datagram-request", expect_reply=False)
    assert seen, "expected the handler to run"
    return seen[0], server


@pytest.mark.clause("handler.request.datagram_string")
def test_datagram_request_is_the_data(target: TargetLike, harness: Harness) -> None:
    """On a datagram server a handler's request is the received data itself."""
    request, _ = _datagram_request(harness)
    assert request == b"datagram-request", (
        f"expected self.request to be the datagram b'datagram-request'; got {request!r}"
    )


@pytest.mark.clause("handler.request.datagram_pair")
def test_datagram_request_is_data_and_socket(target: TargetLike, harness: Harness) -> None:
    """On a datagram server a handler's request is (data, server socket)."""
    request, server = _datagram_request(harness)
    assert isinstance(request, tuple), f"expected a (data, socket) pair; got {request!r}"
    data, sock = request[:2]  # pyright: ignore[reportUnknownVariableType]
    assert data == b"datagram-request", f"expected the datagram's bytes; got {data!r}"
    assert sock is server.socket, f"expected the server's socket; got {sock!r}"


# Stream and datagram handlers, and handlers with their own setup() or finish() (traits
# own-setup, own-finish), are excluded by the catalogue: the default is not theirs.
@pytest.mark.parametrize(
    "name",
    [
        clause_param("handler.setup.default_noop", "setup"),
        clause_param("handler.finish.default_noop", "finish"),
    ],
)
def test_default_hook_does_nothing(target: TargetLike, harness: Harness, name: str) -> None:
    """The base handler's setup() and finish() each do nothing and return None."""
    cls: Any = harness.handler_base()
    instance = cls.__new__(cls)
    instance.request, instance.client_address, instance.server = None, ("127.0.0.1", 1), None
    before = state_of(instance)
    result = getattr(instance, name)()
    assert result is None, f"expected {name}() to return None; got {result!r}"
    assert state_of(instance) == before, f"expected {name}() to change nothing"


@pytest.mark.clause("handler.handle.default_noop")
def test_handle_default_just_closes(target: TargetLike, harness: Harness) -> None:
    """With the base handle(), a request is just closed: the client reads nothing."""
    # A handler with its own handle() (trait own-handle) is excluded by the catalogue.
    recorder = harness.recorder()
    server = quiet_server(harness, harness.handler_base(), recorder)
    reply = harness.exchange(server, b"ignored\n", expect_reply=not harness.datagram)
    assert reply == b"", f"expected nothing back from the default handle(); got {reply!r}"
    assert recorder.named("handle_error") == [], "expected the default handle() not to fail"


@pytest.mark.clause("handler.finish.skipped_if_setup_raises")
def test_setup_error_skips_handle_and_finish(target: TargetLike, harness: Harness) -> None:
    """When setup() raises, neither handle() nor finish() runs."""
    observed = _hook_calls(_served_once(harness, failing="setup"))
    assert observed == ["setup"], f"expected only ['setup'] after it raised; observed {observed}"


def _handle_raises(harness: Harness) -> list[str]:
    recorder = _served_once(harness, failing="handle")
    return [name for name in recorder.names() if name in (*HOOKS, "handle_error")]


@pytest.mark.clause("handler.finish.skipped_if_handle_raises")
def test_handle_error_skips_finish(target: TargetLike, harness: Harness) -> None:
    """When handle() raises, finish() is not called."""
    observed = _handle_raises(harness)
    assert "finish" not in observed, f"expected no finish() after handle() raised; {observed}"


@pytest.mark.clause("handler.finish.after_exception")
def test_finish_runs_after_handle_raises(target: TargetLike, harness: Harness) -> None:
    """When handle() raises, finish() still runs, before the server sees the error."""
    observed = _handle_raises(harness)
    assert observed == ["setup", "handle", "finish", "handle_error"], (
        f"expected setup, handle, finish, then the server's handle_error; observed {observed}"
    )

"""Checks for the per-request hooks a subclass may override.

get_request, verify_request, process_request, finish_request (with the handler instance
it builds), shutdown_request and handle_timeout.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Sequence
from typing import Any, Optional, cast

import pytest
from sockspec.conformance.checks._helpers import (
    GetRequestSpy,
    instance_recording_handler,
    served_with_get_request_spy,
    tracked_socketpair,
)
from sockspec.conformance.harness import (
    Harness,
    Recorder,
    TargetLike,
    as_recorded,
    state_of,
)


@pytest.mark.clause("server.get_request.returns_pair")
def test_get_request_returns_request_and_address(target: TargetLike, harness: Harness) -> None:
    """get_request returns a (request, client_address) pair for the waiting client."""
    spy = GetRequestSpy(harness)
    server = harness.make_server(attrs=spy.attrs)
    client = harness.send(server, b"pair\n")
    harness.handle_one(server)
    results: list[object] = list(spy.results)
    assert len(results) == 1, f"expected get_request to be called once; called {len(results)}"
    result = results[0]
    assert isinstance(result, tuple), f"expected a (request, client_address) tuple; got {result!r}"
    pair = cast("Sequence[Any]", result)
    assert len(pair) == 2, f"expected a (request, client_address) pair; got {pair!r}"
    request, client_address = pair
    if harness.datagram:
        assert isinstance(request, tuple), f"expected a (data, socket) request; got {request!r}"
        data = cast("Sequence[Any]", request)[0]
        assert data == b"pair\n", f"expected the datagram b'pair\\n' as data; got {data!r}"
    else:
        assert isinstance(request, socket.socket), (
            f"expected the request to be a connected socket; got {type(request).__name__}"
        )
    assert as_recorded(client_address) == as_recorded(client.getsockname()), (
        f"expected client_address {client.getsockname()!r}; got {client_address!r}"
    )


@pytest.mark.clause("server.verify_request.default_true")
def test_verify_request_default_true(target: TargetLike, harness: Harness) -> None:
    """The default verify_request() returns True, so requests are processed."""
    server = harness.make_server()
    left, _ = tracked_socketpair(harness)
    result = server.verify_request(left, ("127.0.0.1", 4321))
    assert result is True, f"expected verify_request() to return True; got {result!r}"
    assert harness.exchange(server).startswith(b"reply:"), "expected the request processed"


@pytest.mark.clause("server.verify_request.false_rejects")
def test_verify_request_false_rejects(target: TargetLike, harness: Harness) -> None:
    """A request verify_request refuses is never processed: no process_request, no handler."""
    recorder = harness.recorder()
    server, _ = _rejecting_server(harness, recorder)
    harness.handle_one(server)
    processing = ("process_request", "setup", "handle")
    # Processing must not happen: give a thread or child that does it a moment to show.
    recorder.wait_for(lambda events: any(e.name in processing for e in events), harness.grace)
    ran = [name for name in recorder.names() if name in processing]
    assert "verify_request" in recorder.names(), "expected verify_request to be called"
    assert ran == [], f"expected no processing after verify_request returned False; saw {ran}"


@pytest.mark.clause("server.verify_request.rejected_closed")
def test_rejected_request_is_closed(target: TargetLike, harness: Harness) -> None:
    """A stream request verify_request refuses is shut down and closed: the client sees EOF."""
    recorder = harness.recorder()
    spy = GetRequestSpy(harness)
    server, client = _rejecting_server(harness, recorder, spy.attrs)
    harness.handle_one(server)
    reply = harness.reply(client)  # raises HangError when no EOF arrives
    assert reply == b"", f"expected EOF and no reply for a refused request; got {reply!r}"
    requests: list[socket.socket] = spy.requests
    assert requests, "expected get_request() to be called"
    request = requests[0]
    closed = harness.wait_until(lambda: request.fileno() == -1)
    assert closed, "expected the server's socket for the refused request to be closed"


def _rejecting_server(
    harness: Harness, recorder: Recorder, attrs: Optional[dict[str, object]] = None
) -> tuple[Any, Any]:
    """A server whose verify_request() refuses every request, and a client that sent one."""

    def verify_request(self: Any, request: Any, client_address: Any) -> bool:
        recorder.record("verify_request")
        return False

    server = harness.make_server(
        recorder=recorder,
        attrs={**(attrs or {}), "verify_request": verify_request},
        record=("process_request",),
    )
    return server, harness.send(server)


@pytest.mark.clause("server.process_request.calls_finish_request")
def test_process_request_calls_finish_request(target: TargetLike, harness: Harness) -> None:
    """The default process_request calls finish_request(request, address) in the same thread."""
    calls: list[tuple[object, object, int]] = []
    base = harness.server_base()

    def finish_request(self: Any, request: Any, client_address: Any) -> None:
        calls.append((request, client_address, threading.get_ident()))
        base.finish_request(self, request, client_address)

    server = harness.make_server(attrs={"finish_request": finish_request})
    left, right = tracked_socketpair(harness)
    right.sendall(b"direct\n")
    server.process_request(left, ("127.0.0.1", 4321))
    assert len(calls) == 1, f"expected one finish_request call; observed {len(calls)}"
    request, client_address, thread = calls[0]
    assert request is left, f"expected the same request object; got {request!r}"
    assert client_address == ("127.0.0.1", 4321), (
        f"expected the same address; got {client_address!r}"
    )
    assert thread == threading.get_ident(), "expected finish_request in the calling thread"


@pytest.mark.clause("server.finish_request.instantiates_handler")
def test_finish_request_instantiates_handler(target: TargetLike, harness: Harness) -> None:
    """finish_request(request, address) builds RequestHandlerClass(request, address, server)."""
    seen: list[tuple[type, object, object, object]] = []

    def record_init(self: Any, request: Any, client_address: Any, server: Any) -> None:
        seen.append((self.__class__, request, client_address, server))

    Recording = type("Recording", (socketserver.BaseRequestHandler,), {"__init__": record_init})
    server = harness.make_server(Recording)
    left, _ = tracked_socketpair(harness)
    address = ("127.0.0.1", 4321)
    server.finish_request(left, address)
    assert len(seen) == 1, f"expected one handler instance; {len(seen)} were created"
    kind, request, client_address, owner = seen[0]
    assert kind is Recording, f"expected RequestHandlerClass itself; got {kind.__name__}"
    assert request is left, f"expected the request object passed through; got {request!r}"
    assert client_address == address, f"expected client_address {address}; got {client_address!r}"
    assert owner is server, f"expected the server as third argument; got {owner!r}"


@pytest.mark.clause("server.request_handler_class.new_instance_per_request")
def test_new_handler_instance_per_request(target: TargetLike, harness: Harness) -> None:
    """Each request is handled by a new instance of RequestHandlerClass."""
    recorder = harness.recorder()
    server = harness.make_server(
        instance_recording_handler(harness, recorder, "setup"), recorder=recorder
    )
    for _ in range(3):
        harness.exchange(server, b"", expect_reply=False)
    instances = recorder.wait_count("instance", 3, harness.timeout)
    distinct = {repr(event.values) for event in instances}
    assert len(distinct) == 3, (
        f"expected 3 handler instances for 3 requests; observed {len(distinct)} distinct"
    )


@pytest.mark.clause("server.shutdown_request.closes")
def test_finished_request_is_closed(target: TargetLike, harness: Harness) -> None:
    """After a request is handled its connection is shut down and closed: the client sees EOF."""
    reply, requests = served_with_get_request_spy(harness)
    assert reply.startswith(b"reply:"), f"expected the reply before EOF; got {reply!r}"
    if requests and isinstance(requests[0], socket.socket):
        request: socket.socket = requests[0]
        closed = harness.wait_until(lambda: request.fileno() == -1)
        assert closed, "expected the server's request socket to be closed after handling"


@pytest.mark.clause("server.handle_timeout.default_noop")
def test_handle_timeout_default_does_nothing(target: TargetLike, harness: Harness) -> None:
    """Without ForkingMixIn, handle_timeout() returns None and changes nothing."""
    server = harness.make_server()
    before = state_of(server)
    result = server.handle_timeout()
    assert result is None, f"expected None; got {result!r}"
    assert state_of(server) == before, "expected handle_timeout() to leave the server unchanged"

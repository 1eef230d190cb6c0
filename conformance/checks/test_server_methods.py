"""Checks for the server methods: the request loop, its hooks, shutdown and clean-up."""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Sequence
from typing import Any, cast

import pytest
from sockspec.conformance.harness import (
    BackgroundCall,
    DeliberateFailure,
    Harness,
    TargetLike,
    as_recorded,
)

LOOP_STEPS = ("get_request", "verify_request", "process_request")


def _calls(names: list[str], wanted: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in wanted]


@pytest.mark.clause("server.handle_request.order")
def test_handle_request_calls_steps_in_order(target: TargetLike, harness: Harness) -> None:
    """handle_request calls get_request, then verify_request, then process_request."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, record=LOOP_STEPS)
    reply = harness.exchange(server)
    observed = _calls(recorder.names(), LOOP_STEPS)
    assert observed == list(LOOP_STEPS), (
        f"expected the calls {list(LOOP_STEPS)}; observed {observed}"
    )
    assert reply.startswith(b"reply:"), f"expected the handler's reply; observed {reply!r}"


@pytest.mark.clause("server.handle_request.order")
def test_failed_get_request_stops_the_request(target: TargetLike, harness: Harness) -> None:
    """When get_request raises OSError, neither verify_request nor process_request runs."""
    recorder = harness.recorder()
    datagram = harness.datagram

    def get_request(self: Any) -> Any:
        request, _ = harness.server_base().get_request(self)
        if not datagram:
            request.close()
        recorder.record("get_request")
        raise OSError("deliberate get_request failure from the check")

    server = harness.make_server(
        recorder=recorder,
        attrs={"get_request": get_request},
        record=("verify_request", "process_request"),
    )
    harness.send(server)
    try:
        harness.handle_one(server)
    except OSError:
        recorder.record("handle_request:raised")
    observed = _calls(recorder.names(), LOOP_STEPS)
    assert observed == ["get_request"], (
        f"expected only ['get_request'] after it raised OSError; observed {observed}"
    )


@pytest.mark.clause("server.verify_request.false_rejects")
def test_verify_request_false_rejects(target: TargetLike, harness: Harness) -> None:
    """A request verify_request refuses is never processed and its connection is closed."""
    recorder = harness.recorder()

    def verify_request(self: Any, request: Any, client_address: Any) -> bool:
        recorder.record("verify_request")
        return False

    server = harness.make_server(
        recorder=recorder, attrs={"verify_request": verify_request}, record=("process_request",)
    )
    client = harness.send(server)
    harness.handle_one(server)
    if not harness.datagram:
        reply = harness.reply(client)
        assert reply == b"", f"expected EOF and no reply for a refused request; got {reply!r}"
    ran = [name for name in recorder.names() if name in ("process_request", "setup", "handle")]
    assert "verify_request" in recorder.names(), "expected verify_request to be called"
    assert ran == [], f"expected no processing after verify_request returned False; saw {ran}"


@pytest.mark.clause("server.handle_error.called_once")
def test_handle_error_called_once(target: TargetLike, harness: Harness) -> None:
    """A handler's exception reaches handle_error(request, client_address) once; serving goes on."""
    recorder = harness.recorder()

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error", id(request), client_address)

    server = harness.make_server(
        harness.reply_handler(recorder, fail=True), attrs={"handle_error": handle_error}
    )
    client = harness.send(server, b"fail\n")
    try:
        harness.handle_one(server)
    except DeliberateFailure as error:
        pytest.fail(
            f"expected handle_error to receive the handler's exception; it escaped: {error}"
        )
    harness.reply(client)
    errors = recorder.wait_count("handle_error", 1, harness.timeout)
    assert len(errors) == 1, f"expected handle_error to be called once; called {len(errors)} times"
    setup = recorder.named("setup")[0]
    request_id, client_address = errors[0].values
    assert request_id == setup.values[1], "expected handle_error to get the failed request object"
    assert client_address == setup.values[0], (
        f"expected handle_error's client_address {setup.values[0]!r}; got {client_address!r}"
    )
    second = harness.send(server, b"second\n")
    harness.handle_one(server)
    assert harness.reply(second).startswith(b"reply:second"), "expected the server to keep serving"
    recorder.wait_count("finish", 2, harness.timeout)
    count = len(recorder.named("handle_error"))
    assert count == 1, f"expected exactly one handle_error call for one failure; observed {count}"


@pytest.mark.clause("server.handle_request.timeout")
def test_handle_request_timeout(target: TargetLike, harness: Harness) -> None:
    """With no request within ``timeout``, handle_request calls handle_timeout and returns."""
    recorder = harness.recorder()
    server = harness.make_server(
        recorder=recorder, attrs={"timeout": harness.grace / 4}, record=("handle_timeout",)
    )
    call = BackgroundCall(server.handle_request)
    if not call.wait(harness.timeout):
        harness.send(server)  # let a blocked handle_request finish
        call.wait(harness.timeout)
        pytest.fail(
            f"expected handle_request to return after timeout={server.timeout:g} s; "
            f"it was still waiting after {harness.timeout:g} s"
        )
    if call.error is not None:
        raise call.error
    count = len(recorder.named("handle_timeout"))
    assert count == 1, f"expected handle_timeout to be called once; observed {count} calls"


@pytest.mark.clause("server.serve_forever.repeats")
def test_serve_forever_serves_repeatedly(target: TargetLike, harness: Harness) -> None:
    """serve_forever keeps handling requests, one after another, until shut down."""
    server = harness.make_server()
    with harness.serving(server):
        for number in range(3):
            payload = b"request-%d\n" % number
            reply = harness.reply(harness.send(server, payload))
            assert reply.startswith(b"reply:" + payload), (
                f"expected request {number + 1} to be answered; got {reply!r}"
            )


@pytest.mark.clause("server.serve_forever.service_actions")
def test_serve_forever_calls_service_actions(target: TargetLike, harness: Harness) -> None:
    """serve_forever calls service_actions on its loop, again after each request."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, record=("service_actions",))
    with harness.serving(server):
        for number in (1, 2):
            harness.reply(harness.send(server))
            calls = recorder.wait_count("service_actions", number, harness.timeout)
            assert len(calls) >= number, (
                f"expected service_actions to run at least {number} times while serving; "
                f"observed {len(calls)}"
            )


@pytest.mark.clause("server.shutdown.stops_serve_forever")
def test_shutdown_stops_serve_forever(target: TargetLike, harness: Harness) -> None:
    """shutdown called from another thread makes serve_forever return."""
    server = harness.make_server()
    serving = BackgroundCall(server.serve_forever, 0.02, name="sockspec-serve_forever")
    harness.reply(harness.send(server))
    stopping = BackgroundCall(server.shutdown, name="sockspec-shutdown")
    stopped = serving.wait(harness.timeout)
    stopping.wait(harness.timeout)
    assert stopped, (
        f"expected serve_forever to return after shutdown(); running {harness.timeout:g} s later"
    )
    assert serving.error is None, (
        f"expected serve_forever to return normally; it raised {serving.error!r}"
    )


@pytest.mark.clause("server.shutdown.waits")
def test_shutdown_waits_for_serve_forever(target: TargetLike, harness: Harness) -> None:
    """shutdown returns only once the serve_forever loop has stopped."""
    armed, release, in_loop = threading.Event(), threading.Event(), threading.Event()

    def service_actions(self: Any) -> None:
        # Hold the loop inside one iteration, so a shutdown that does not wait shows.
        if armed.is_set() and not release.is_set():
            in_loop.set()
            release.wait(harness.timeout)
            in_loop.clear()

    server = harness.make_server(attrs={"service_actions": service_actions})
    serving = BackgroundCall(server.serve_forever, 0.02, name="sockspec-serve_forever")
    armed.set()
    if not in_loop.wait(harness.timeout):
        release.set()
        pytest.fail("expected serve_forever to call service_actions (needed to observe shutdown)")
    loop_busy_at_return: list[bool] = []

    def stop() -> None:
        server.shutdown()
        loop_busy_at_return.append(in_loop.is_set())

    stopping = BackgroundCall(stop, name="sockspec-shutdown")
    stopping.wait(harness.grace)
    release.set()
    assert stopping.wait(harness.timeout), "expected shutdown() to return once the loop stopped"
    serving.wait(harness.timeout)
    assert loop_busy_at_return == [False], (
        "expected shutdown() to block until serve_forever stopped; "
        "it returned while the loop was still running"
    )


@pytest.mark.clause("server.fileno.listening_socket")
def test_fileno_is_the_listening_socket(target: TargetLike, harness: Harness) -> None:
    """fileno returns the descriptor of the server's own socket."""
    server = harness.make_server()
    observed = server.fileno()
    expected = server.socket.fileno()
    assert observed == expected, (
        f"expected fileno() == socket.fileno() == {expected}; got {observed}"
    )


@pytest.mark.clause("server.fileno.selectable")
def test_fileno_works_with_select(target: TargetLike, harness: Harness) -> None:
    """select on the server object reports it readable once a request is waiting."""
    server = harness.make_server()
    harness.send(server)
    readable, _, _ = select.select([server], [], [], harness.timeout)
    assert server in readable, (
        f"expected select([server]) to report a waiting request within {harness.timeout:g} s; "
        "it did not"
    )


@pytest.mark.clause("server.get_request.returns_pair")
def test_get_request_returns_request_and_address(target: TargetLike, harness: Harness) -> None:
    """get_request returns a (request, client_address) pair for the waiting client."""
    results: list[object] = []
    base = harness.server_base()

    def get_request(self: Any) -> Any:
        result = base.get_request(self)
        results.append(result)
        return result

    server = harness.make_server(attrs={"get_request": get_request})
    client = harness.send(server, b"pair\n")
    harness.handle_one(server)
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


@pytest.mark.clause("server.finish_request.instantiates_handler")
def test_finish_request_instantiates_handler(target: TargetLike, harness: Harness) -> None:
    """finish_request(request, address) builds RequestHandlerClass(request, address, server)."""
    seen: list[tuple[type, object, object, object]] = []

    def record_init(self: Any, request: Any, client_address: Any, server: Any) -> None:
        seen.append((self.__class__, request, client_address, server))

    Recording = type("Recording", (socketserver.BaseRequestHandler,), {"__init__": record_init})
    server = harness.make_server(Recording)
    left, right = socket.socketpair()
    harness.track(left)
    harness.track(right)
    address = ("127.0.0.1", 4321)
    server.finish_request(left, address)
    assert len(seen) == 1, f"expected one handler instance; {len(seen)} were created"
    kind, request, client_address, owner = seen[0]
    assert kind is Recording, f"expected RequestHandlerClass itself; got {kind.__name__}"
    assert request is left, f"expected the request object passed through; got {request!r}"
    assert client_address == address, f"expected client_address {address}; got {client_address!r}"
    assert owner is server, f"expected the server as third argument; got {owner!r}"


@pytest.mark.clause("server.shutdown_request.closes")
def test_finished_request_is_closed(target: TargetLike, harness: Harness) -> None:
    """After a request is handled its connection is shut down and closed: the client sees EOF."""
    requests: list[Any] = []
    base = harness.server_base()

    def get_request(self: Any) -> Any:
        result = base.get_request(self)
        requests.append(result[0])
        return result

    server = harness.make_server(attrs={"get_request": get_request})
    client = harness.send(server)
    harness.handle_one(server)
    reply = harness.reply(client)  # raises HangError when no EOF arrives
    assert reply.startswith(b"reply:"), f"expected the reply before EOF; got {reply!r}"
    if requests and isinstance(requests[0], socket.socket):
        request: socket.socket = requests[0]
        closed = harness.wait_until(lambda: request.fileno() == -1)
        assert closed, "expected the server's request socket to be closed after handling"


@pytest.mark.clause("server.server_close.releases_socket")
def test_server_close_releases_socket(target: TargetLike, harness: Harness) -> None:
    """server_close closes the listening socket: its descriptor is released."""
    server = harness.make_server()
    address = server.server_address
    server.server_close()
    assert server.socket.fileno() == -1, "expected server.socket to be closed by server_close()"
    if not harness.datagram:
        probe = harness.client_socket()
        refused = probe.connect_ex(address)
        assert refused != 0, "expected connecting to a closed server to be refused; it succeeded"


@pytest.mark.clause("server.context_manager.closes")
def test_context_manager_closes(target: TargetLike, harness: Harness) -> None:
    """Leaving a ``with server:`` block closes the server as server_close does."""
    server = harness.make_server()
    with server as entered:
        assert entered is server, f"expected __enter__ to return the server; got {entered!r}"
    assert server.socket.fileno() == -1, (
        "expected the socket to be closed on leaving the with block"
    )

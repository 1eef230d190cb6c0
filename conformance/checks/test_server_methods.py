"""Checks for the server methods: the request loop, its hooks, shutdown and clean-up."""

from __future__ import annotations

import os
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
    DeliberateInterrupt,
    Harness,
    TargetLike,
    as_recorded,
    is_listening,
    listen_backlog,
    state_of,
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
    serving = harness.serve_in_background(server)
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
    serving = harness.serve_in_background(server)
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


def _has_mixin(target: TargetLike) -> bool:
    return bool({"threading", "forking"} & target.traits)


@pytest.mark.clause("server.handle_request.one_request")
def test_handle_request_handles_one_request(target: TargetLike, harness: Harness) -> None:
    """One handle_request() call handles one request and leaves the next one waiting."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder)
    first = harness.send(server, b"first\n")
    second = harness.send(server, b"second\n")
    harness.handle_one(server)
    recorder.wait_count("replied", 1, harness.timeout)
    handled = len(recorder.named("setup"))
    still_waiting, _, _ = select.select([server.socket], [], [], 0)
    assert handled == 1, f"expected one handler to run for one handle_request(); {handled} ran"
    assert still_waiting, "expected the second request to stay queued until the next call"
    harness.handle_one(server)
    replies = sorted([harness.reply(first), harness.reply(second)])
    assert all(reply.startswith(b"reply:") for reply in replies), f"got {replies!r}"


@pytest.mark.clause("server.handle_request.timeout_none_waits")
def test_handle_request_without_timeout_waits(target: TargetLike, harness: Harness) -> None:
    """With timeout None, handle_request waits for a request and never calls handle_timeout."""
    recorder = harness.recorder()
    server = harness.make_server(
        recorder=recorder, attrs={"timeout": None}, record=("handle_timeout",)
    )
    call = BackgroundCall(server.handle_request)
    returned_early = call.wait(harness.grace)
    client = harness.send(server)
    finished = call.wait(harness.timeout)
    timeouts = len(recorder.named("handle_timeout"))
    assert not returned_early, "expected handle_request to keep waiting with timeout=None"
    assert finished, "expected handle_request to return once a request arrived"
    assert timeouts == 0, f"expected no handle_timeout call; observed {timeouts}"
    assert harness.reply(client).startswith(b"reply:"), "expected the request to be handled"


@pytest.mark.clause("server.serve_forever.loops_handle_request")
def test_serve_forever_loops_over_handle_request(target: TargetLike, harness: Harness) -> None:
    """serve_forever serves by calling handle_request over and over."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, record=("handle_request",))
    with harness.serving(server):
        for number in range(2):
            harness.reply(harness.send(server, b"loop-%d\n" % number))
    calls = len(recorder.named("handle_request"))
    assert calls >= 2, (
        f"expected serve_forever to call handle_request for each of 2 requests; observed {calls}"
    )


@pytest.mark.clause("server.serve_forever.ignores_timeout")
def test_serve_forever_ignores_timeout(target: TargetLike, harness: Harness) -> None:
    """serve_forever does not call handle_timeout however short ``timeout`` is."""
    recorder = harness.recorder()
    server = harness.make_server(
        recorder=recorder, attrs={"timeout": harness.grace / 20}, record=("handle_timeout",)
    )
    with harness.serving(server):
        harness.reply(harness.send(server))
        timed_out = recorder.wait_for(
            lambda events: any(e.name == "handle_timeout" for e in events), harness.grace
        )
        reply = harness.reply(harness.send(server))
    assert not timed_out, "expected serve_forever not to call handle_timeout; it did"
    assert reply.startswith(b"reply:"), f"expected serving to go on; got {reply!r}"


@pytest.mark.clause("server.service_actions.default_noop")
def test_service_actions_default_does_nothing(target: TargetLike, harness: Harness) -> None:
    """Without a mix-in, service_actions() returns None and changes nothing."""
    if "forking" in target.traits:
        pytest.skip("not applicable: ForkingMixIn's service_actions collects children")
    server = harness.make_server()
    before = state_of(server)
    result = server.service_actions()
    assert result is None, f"expected None; got {result!r}"
    assert state_of(server) == before, "expected service_actions() to leave the server unchanged"


@pytest.mark.clause("server.shutdown.requires_running_loop")
def test_shutdown_blocks_until_serve_forever_runs(target: TargetLike, harness: Harness) -> None:
    """shutdown() with no serve_forever running blocks until one runs, then stops it."""
    server = harness.make_server()
    stopping = BackgroundCall(server.shutdown, name="sockspec-shutdown")
    returned_early = stopping.wait(harness.grace)
    serving = harness.serve_in_background(server)
    stopped = stopping.wait(harness.timeout) and serving.wait(harness.timeout)
    assert not returned_early, "expected shutdown() to block while no serve_forever() was running"
    assert stopped, "expected shutdown() and the late serve_forever() to return together"


@pytest.mark.clause("server.context_manager.returns_self")
def test_context_manager_returns_self(target: TargetLike, harness: Harness) -> None:
    """``with server as entered`` binds the server itself."""
    server = harness.make_server()
    with server as entered:
        assert entered is server, f"expected __enter__ to return the server; got {entered!r}"


@pytest.mark.clause("server.context_manager.closes")
def test_context_manager_closes_on_error(target: TargetLike, harness: Harness) -> None:
    """Leaving a ``with server:`` block by an exception also closes the server."""
    server = harness.make_server()
    with pytest.raises(DeliberateFailure), server:
        raise DeliberateFailure("deliberate error inside the with block")
    assert server.socket.fileno() == -1, "expected the socket to be closed after the error"


def _failing_request_output(harness: Harness) -> tuple[str, str]:
    server = harness.make_server(harness.reply_handler(fail=True))
    with harness.capture_output() as capture:
        client = harness.send(server, b"fail\n")
        harness.handle_one(server)
        harness.reply(client)
        harness.wait_until(lambda: "DeliberateFailure" in "".join(capture.read()))
    captured = capture.read()
    return captured.stdout, captured.stderr


@pytest.mark.clause("server.handle_error.prints_to_stdout")
def test_handle_error_prints_to_stdout(target: TargetLike, harness: Harness) -> None:
    """The default handle_error prints the traceback of a failed request on standard output."""
    stdout, stderr = _failing_request_output(harness)
    printed = "Traceback" in stdout and "DeliberateFailure" in stdout
    assert printed, (
        f"expected the traceback on standard output; stdout={stdout[:200]!r} "
        f"stderr={stderr[:200]!r}"
    )


@pytest.mark.clause("server.handle_error.prints_to_stderr")
def test_handle_error_prints_to_stderr(target: TargetLike, harness: Harness) -> None:
    """The default handle_error prints the traceback on standard error and nothing on stdout."""
    stdout, stderr = _failing_request_output(harness)
    printed = "Traceback" in stderr and "DeliberateFailure" in stderr
    assert printed, f"expected the traceback on standard error; stderr={stderr[:200]!r}"
    assert stdout == "", f"expected nothing on standard output; got {stdout[:200]!r}"


@pytest.mark.clause("server.handle_error.exception_only")
def test_non_exception_errors_skip_handle_error(target: TargetLike, harness: Harness) -> None:
    """A handler's BaseException (not an Exception) bypasses handle_error and propagates."""
    recorder = harness.recorder()

    def handle(self: Any) -> None:
        recorder.record("handle")
        raise DeliberateInterrupt("deliberate BaseException from the check's handler")

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error")

    handler = type("Interrupting", (harness.handler_base(),), {"handle": handle})
    server = harness.make_server(handler, attrs={"handle_error": handle_error})
    escaped: list[BaseException] = []
    previous_hook = threading.excepthook
    threading.excepthook = lambda args: escaped.append(args.exc_value or DeliberateInterrupt())
    try:
        client = harness.send(server, b"x\n")
        try:
            harness.handle_one(server)
        except DeliberateInterrupt as error:
            escaped.append(error)
        recorder.wait_count("handle", 1, harness.timeout)
        if not harness.datagram:
            harness.reply(client)
        harness.wait_until(lambda: bool(escaped) or "forking" in target.traits)
    finally:
        threading.excepthook = previous_hook
    calls = len(recorder.named("handle_error"))
    assert calls == 0, f"expected handle_error not to be called for a BaseException; {calls} calls"
    if not _has_mixin(target):
        assert escaped, "expected the BaseException to propagate out of handle_request()"


@pytest.mark.clause("server.handle_timeout.default_noop")
def test_handle_timeout_default_does_nothing(target: TargetLike, harness: Harness) -> None:
    """Without ForkingMixIn, handle_timeout() returns None and changes nothing."""
    if "forking" in target.traits:
        pytest.skip("not applicable: ForkingMixIn's handle_timeout collects children")
    server = harness.make_server()
    before = state_of(server)
    result = server.handle_timeout()
    assert result is None, f"expected None; got {result!r}"
    assert state_of(server) == before, "expected handle_timeout() to leave the server unchanged"


@pytest.mark.clause("server.process_request.calls_finish_request")
def test_process_request_calls_finish_request(target: TargetLike, harness: Harness) -> None:
    """The default process_request calls finish_request(request, address) in the same thread."""
    if _has_mixin(target):
        pytest.skip("not applicable: a mix-in replaces the default process_request")
    calls: list[tuple[object, object, int]] = []
    base = harness.server_base()

    def finish_request(self: Any, request: Any, client_address: Any) -> None:
        calls.append((request, client_address, threading.get_ident()))
        base.finish_request(self, request, client_address)

    server = harness.make_server(attrs={"finish_request": finish_request})
    left, right = socket.socketpair()
    harness.track(left)
    harness.track(right)
    right.sendall(b"direct\n")
    server.process_request(left, ("127.0.0.1", 4321))
    assert len(calls) == 1, f"expected one finish_request call; observed {len(calls)}"
    request, client_address, thread = calls[0]
    assert request is left, f"expected the same request object; got {request!r}"
    assert client_address == ("127.0.0.1", 4321), (
        f"expected the same address; got {client_address!r}"
    )
    assert thread == threading.get_ident(), "expected finish_request in the calling thread"


@pytest.mark.clause("server.server_activate.listens")
def test_server_activate_listens(target: TargetLike, harness: Harness) -> None:
    """After construction (server_activate) the server's socket is listening."""
    server = harness.make_server()
    listening = is_listening(server.socket)
    if listening is None:
        pytest.skip("this OS cannot report whether a socket listens (no SO_ACCEPTCONN)")
    assert listening, "expected server_activate() to put the socket into listening state"


@pytest.mark.clause("server.server_activate.listens_stream")
def test_server_activate_listens_with_backlog(target: TargetLike, harness: Harness) -> None:
    """server_activate() makes a stream socket listen, with request_queue_size as backlog."""
    server = harness.make_server(bind_and_activate=False, attrs={"request_queue_size": 3})
    server.server_bind()
    before = is_listening(server.socket)
    server.server_activate()
    after = is_listening(server.socket)
    if after is None:
        pytest.skip("this OS cannot report whether a socket listens (no SO_ACCEPTCONN)")
    assert not before, "expected the socket not to listen before server_activate()"
    assert after, "expected the socket to listen after server_activate()"
    backlog = listen_backlog(server.socket)
    if backlog is not None:
        assert backlog == 3, f"expected a listen backlog of request_queue_size=3; got {backlog}"


@pytest.mark.clause("server.server_activate.datagram_noop")
def test_server_activate_datagram_does_nothing(target: TargetLike, harness: Harness) -> None:
    """For a datagram server, server_activate() leaves the socket as it was."""
    server = harness.make_server(bind_and_activate=False)
    server.server_bind()

    def snapshot() -> tuple[object, ...]:
        sock = server.socket
        return (sock.fileno(), sock.getsockname(), sock.gettimeout(), is_listening(sock))

    before = snapshot()
    result = server.server_activate()
    assert result is None, f"expected None; got {result!r}"
    assert snapshot() == before, f"expected the socket unchanged; {before!r} -> {snapshot()!r}"
    assert harness.exchange(server).startswith(b"reply:"), "expected the server to still serve"


@pytest.mark.clause("server.server_activate.called_by_constructor")
def test_overriding_server_activate_called_once(target: TargetLike, harness: Harness) -> None:
    """An overriding server_activate() is called once by the constructor, after server_bind()."""
    recorder = harness.recorder()
    base = harness.server_base()

    def server_activate(self: Any) -> None:
        recorder.record("server_activate")
        base.server_activate(self)

    harness.make_server(
        recorder=recorder, attrs={"server_activate": server_activate}, record=("server_bind",)
    )
    steps = [n for n in recorder.names() if n in ("server_bind", "server_activate")]
    assert steps == ["server_bind", "server_activate"], (
        f"expected ['server_bind', 'server_activate'] from the constructor; observed {steps}"
    )


@pytest.mark.clause("server.server_bind.binds")
def test_server_bind_binds_to_server_address(target: TargetLike, harness: Harness) -> None:
    """server_bind() binds the socket to server_address; an override is called once."""
    recorder = harness.recorder()
    base = harness.server_base()

    def server_bind(self: Any) -> None:
        recorder.record("server_bind")
        base.server_bind(self)

    server = harness.make_server(recorder=recorder, attrs={"server_bind": server_bind})
    calls = len(recorder.named("server_bind"))
    assert calls == 1, f"expected the constructor to call server_bind once; observed {calls}"
    unbound = harness.make_server(bind_and_activate=False)
    requested: object = unbound.server_address
    unbound.server_bind()
    local: Any = unbound.socket.getsockname()
    if isinstance(requested, tuple):
        host = cast("Sequence[object]", requested)[0]
        bound = bool(local[0] == host and local[1] != 0)
        assert bound, f"expected the socket bound to {requested!r} (any port); got {local!r}"
    else:
        assert local == requested, f"expected the socket bound to {requested!r}; got {local!r}"
    assert server.socket.getsockname() == server.server_address, "expected binding to match"


@pytest.mark.clause("server.verify_request.default_true")
def test_verify_request_default_true(target: TargetLike, harness: Harness) -> None:
    """The default verify_request() returns True, so requests are processed."""
    server = harness.make_server()
    left, right = socket.socketpair()
    harness.track(left)
    harness.track(right)
    result = server.verify_request(left, ("127.0.0.1", 4321))
    assert result is True, f"expected verify_request() to return True; got {result!r}"
    assert harness.exchange(server).startswith(b"reply:"), "expected the request processed"


@pytest.mark.clause("server.request_handler_class.new_instance_per_request")
def test_new_handler_instance_per_request(target: TargetLike, harness: Harness) -> None:
    """Each request is handled by a new instance of RequestHandlerClass."""
    recorder = harness.recorder()
    keep: list[object] = []  # keeps instances alive so that their ids stay unique

    def setup(self: Any) -> None:
        keep.append(self)
        recorder.record("instance", os.getpid(), id(self))

    handler = type("Counting", (harness.handler_base(),), {"setup": setup})
    server = harness.make_server(handler, recorder=recorder)
    for _ in range(3):
        harness.exchange(server, b"", expect_reply=False)
    instances = recorder.wait_count("instance", 3, harness.timeout)
    distinct = {repr(event.values) for event in instances}
    assert len(distinct) == 3, (
        f"expected 3 handler instances for 3 requests; observed {len(distinct)} distinct"
    )

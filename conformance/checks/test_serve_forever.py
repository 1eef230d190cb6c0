"""Checks for serve_forever() and service_actions(): the loop that serves until shut down."""

from __future__ import annotations

import pytest
from sockspec.conformance.checks._helpers import recording_server
from sockspec.conformance.harness import (
    Harness,
    TargetLike,
    state_of,
)


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


@pytest.mark.clause("server.serve_forever.loops_handle_request")
def test_serve_forever_loops_over_handle_request(target: TargetLike, harness: Harness) -> None:
    """serve_forever serves by calling handle_request over and over."""
    server, recorder = recording_server(harness, "handle_request")
    with harness.serving(server):
        for number in range(2):
            harness.reply(harness.send(server, b"loop-%d\n" % number))
    calls = len(recorder.named("handle_request"))
    assert calls >= 2, (
        f"expected serve_forever to call handle_request for each of 2 requests; observed {calls}"
    )


@pytest.mark.clause("server.serve_forever.service_actions")
def test_serve_forever_calls_service_actions(target: TargetLike, harness: Harness) -> None:
    """serve_forever calls service_actions on its loop, again after each request."""
    server, recorder = recording_server(harness, "service_actions")
    with harness.serving(server):
        for number in (1, 2):
            harness.reply(harness.send(server))
            calls = recorder.wait_count("service_actions", number, harness.timeout)
            assert len(calls) >= number, (
                f"expected service_actions to run at least {number} times while serving; "
                f"observed {len(calls)}"
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
    server = harness.make_server()
    before = state_of(server)
    result = server.service_actions()
    assert result is None, f"expected None; got {result!r}"
    assert state_of(server) == before, "expected service_actions() to leave the server unchanged"


@pytest.mark.clause("server.serve_forever.poll_interval_paces")
def test_serve_forever_wakes_every_poll_interval(target: TargetLike, harness: Harness) -> None:
    """With no request coming, serve_forever still calls service_actions every poll_interval."""
    server, recorder = recording_server(harness, "service_actions")
    poll_interval = harness.grace / 4
    with harness.serving(server, poll_interval=poll_interval):
        # Several turns without any request; the deadline is many poll intervals long.
        calls = recorder.wait_count("service_actions", 3, harness.timeout)
    assert len(calls) >= 3, (
        f"expected an idle serve_forever(poll_interval={poll_interval:g}) to call "
        f"service_actions at least 3 times within {harness.timeout:g} s; observed {len(calls)}"
    )


@pytest.mark.clause("server.serve_forever.restartable")
def test_serve_forever_serves_again_after_shutdown(target: TargetLike, harness: Harness) -> None:
    """A second serve_forever() after shutdown() ended the first one serves requests too."""
    server = harness.make_server()
    for loop in range(2):
        with harness.serving(server):
            payload = b"loop-%d\n" % loop
            reply = harness.reply(harness.send(server, payload))
            assert reply.startswith(b"reply:" + payload), (
                f"expected serve_forever() call {loop + 1} to answer a request; got {reply!r}"
                + (" (did the first shutdown() stop the second loop?)" if loop else "")
            )

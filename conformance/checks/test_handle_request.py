"""Checks for handle_request(): the steps of one request, one at a time, and its timeout."""

from __future__ import annotations

import select
import time
from typing import Any, Optional

import pytest
from sockspec.conformance.checks._helpers import recording_server
from sockspec.conformance.harness import (
    BackgroundCall,
    Harness,
    TargetLike,
)

LOOP_STEPS = ("get_request", "verify_request", "process_request")


def _calls(names: list[str], wanted: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in wanted]


@pytest.mark.clause("server.handle_request.order")
def test_handle_request_calls_steps_in_order(target: TargetLike, harness: Harness) -> None:
    """handle_request calls get_request, then verify_request, then process_request."""
    server, recorder = recording_server(harness, *LOOP_STEPS)
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


#: A timeout above one second: a deadline computed as ``time() * timeout`` instead of
#: ``time() + timeout`` then lies far in the future rather than in the past, so only a
#: timeout like this one tells the two apart (below one second the wrong deadline lies in the
#: past: handle_request still returns, which the short case accepts).
LONG_TIMEOUT = 1.25


@pytest.mark.clause("server.handle_request.timeout")
@pytest.mark.parametrize("long", [False, True], ids=["short", "above_one_second"])
def test_handle_request_timeout(target: TargetLike, harness: Harness, long: bool) -> None:
    """With no request within ``timeout``, handle_request calls handle_timeout and returns.

    The case above one second (1.25 s, run once per target: it costs the whole timeout)
    also says when it returns; it waits at most the timeout plus the harness's own, so a
    handle_request that keeps waiting fails rather than hangs.
    """
    if not long:
        _times_out_once(harness, harness.grace / 4, None)
        return
    elapsed = _times_out_once(harness, LONG_TIMEOUT, None, LONG_TIMEOUT + harness.timeout)
    # select() may wake a little early on some clocks; a tenth of the timeout is plenty.
    # On the late side 0.9 s is generous for a thread to be scheduled, and a deadline
    # missed by a whole second (a remainder compared with -1 instead of 0) still shows.
    assert elapsed < LONG_TIMEOUT + 0.9, (
        f"expected handle_request to return about {LONG_TIMEOUT:g} s after it was called;"
        f" it returned after {elapsed:.2f} s"
    )
    assert elapsed >= LONG_TIMEOUT * 0.9, (
        f"expected handle_request to wait about {LONG_TIMEOUT:g} s; it returned after"
        f" {elapsed:.2f} s"
    )


def _times_out_once(
    harness: Harness,
    timeout: Optional[float],
    socket_timeout: Optional[float],
    wait: Optional[float] = None,
) -> float:
    """With no request coming, handle_request returns in time and calls handle_timeout once.

    Only ``timeout`` and ``socket_timeout`` (None: none) limit the wait; the call is given
    ``wait`` (the harness timeout by default).  Returns the seconds it took.
    """
    server, recorder = recording_server(harness, "handle_timeout", attrs={"timeout": timeout})
    server.socket.settimeout(socket_timeout)
    limit = f"timeout={timeout}, socket timeout={socket_timeout}"
    started = time.monotonic()
    call = BackgroundCall(server.handle_request)
    finished = call.wait(harness.timeout if wait is None else wait)
    elapsed = time.monotonic() - started
    if not finished:
        harness.send(server)  # let a blocked handle_request finish
        call.wait(harness.timeout)
        pytest.fail(
            f"expected handle_request to return with {limit}; "
            f"it was still waiting after {elapsed:.2f} s"
        )
    if call.error is not None:
        raise call.error
    count = len(recorder.named("handle_timeout"))
    assert count == 1, f"expected handle_timeout to be called once; observed {count} calls"
    return elapsed


@pytest.mark.clause("server.handle_request.serves_within_timeout")
def test_handle_request_serves_with_long_timeout(target: TargetLike, harness: Harness) -> None:
    """With a long timeout, handle_request serves a waiting request and calls no handle_timeout."""
    server, recorder = recording_server(harness, "handle_timeout", attrs={"timeout": 300.0})
    client = harness.send(server)
    call = BackgroundCall(harness.handle_one, server)
    finished = call.wait(harness.timeout)
    if call.error is not None:
        pytest.fail(
            f"expected handle_request to serve the request (timeout 300); raised {call.error!r}"
        )
    assert finished, (
        f"expected handle_request to serve a waiting request within {harness.timeout:g} s"
    )
    reply = harness.reply(client)
    assert reply, "expected the handler's reply"
    count = len(recorder.named("handle_timeout"))
    assert count == 0, f"expected no handle_timeout call; observed {count}"


@pytest.mark.clause("server.handle_request.timeout_none_waits")
def test_handle_request_without_timeout_waits(target: TargetLike, harness: Harness) -> None:
    """With timeout None, handle_request waits for a request and never calls handle_timeout."""
    server, recorder = recording_server(harness, "handle_timeout", attrs={"timeout": None})
    server.socket.settimeout(None)  # the clause speaks of a socket without a timeout of its own
    call = BackgroundCall(server.handle_request)
    returned_early = call.wait(harness.grace)
    client = harness.send(server)
    finished = call.wait(harness.timeout)
    timeouts = len(recorder.named("handle_timeout"))
    assert not returned_early, "expected handle_request to keep waiting with timeout=None"
    assert finished, "expected handle_request to return once a request arrived"
    assert timeouts == 0, f"expected no handle_timeout call; observed {timeouts}"
    assert harness.reply(client).startswith(b"reply:"), "expected the request to be handled"


@pytest.mark.clause("server.handle_request.socket_timeout")
def test_handle_request_honours_socket_timeout(target: TargetLike, harness: Harness) -> None:
    """With timeout None and a socket timeout, handle_request gives up after the socket's."""
    _times_out_once(harness, None, harness.grace / 2)

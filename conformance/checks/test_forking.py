"""Checks for ForkingMixIn servers: a child per request, reaping, max_children, close waits.

Children of the server under test are watched through ``/proc`` (never
reaped by the check itself); where the OS has no ``/proc`` the server's
``active_children`` is consulted instead.
"""

from __future__ import annotations

import os
from typing import Any, Optional

import pytest
from sockspec.conformance.checks._helpers import (
    clause_param,
    configured_server,
    served_with_get_request_spy,
)
from sockspec.conformance.harness import BackgroundCall, Harness, Recorder, TargetLike, child_state


def _child_pids(recorder: Recorder, count: int, timeout: float) -> list[int]:
    own = os.getpid()
    events = recorder.wait_count("setup", count, timeout)
    return [event.pid for event in events if event.pid != own]


def _reaped(server: Any, pid: int) -> bool:
    state = child_state(pid)
    if state is not None:
        return state == "gone"
    return pid not in (getattr(server, "active_children", None) or ())


def _exited(pid: int) -> bool:
    state = child_state(pid)
    return state in ("zombie", "gone") if state is not None else True


@pytest.mark.clause("forking.process_request.child")
def test_request_handled_in_child(target: TargetLike, harness: Harness) -> None:
    """Each request is handled in a child process, not in the server's process."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder)
    harness.exchange(server)
    events = recorder.wait_count("handle", 1, harness.timeout)
    assert events, "expected the handler to run"
    assert events[0].pid != os.getpid(), (
        f"expected the handler in a child process; it ran in the server's process {os.getpid()}"
    )


@pytest.mark.clause("forking.process_request.parent_closes")
def test_parent_closes_its_copy(target: TargetLike, harness: Harness) -> None:
    """After forking, the server process closes its own copy of the stream request."""
    _, requests = served_with_get_request_spy(harness)
    assert requests, "expected get_request() to be called"
    assert requests[0].fileno() == -1, (
        "expected the server process to close its copy of the request after forking; it is open"
    )


@pytest.mark.clause("forking.process_request.concurrent")
def test_running_child_does_not_block_next_request(target: TargetLike, harness: Harness) -> None:
    """Under serve_forever, a second request gets its child while the first child still runs."""
    both, _ = _second_child_meanwhile(harness, harness.timeout)
    assert both, (
        "expected the second request to start its child while the first child was running; "
        f"it waited {harness.timeout:g} s (does service_actions() wait for running children?)"
    )


def _second_child_meanwhile(
    harness: Harness, wait: float, attrs: Optional[dict[str, object]] = None
) -> tuple[bool, Recorder]:
    """Under serve_forever, a second request while the first one's child is held.

    Returns whether the second child started within ``wait`` seconds, and the recorder
    (its ``setup``/``finish`` events say in which order the children ran).
    """
    recorder = harness.recorder()
    hold, release = harness.release_pipe()
    server = harness.make_server(harness.reply_handler(recorder, hold_fd=hold), attrs=attrs)
    try:
        with harness.serving(server):
            # The first child waits to be released; the second request comes meanwhile.
            first = harness.send(server, b"first\n")
            assert _child_pids(recorder, 1, harness.timeout), "expected a first child"
            second = harness.send(server, b"second\n")
            started = recorder.wait_for(lambda events: _setups(events) >= 2, wait)
            release()
            harness.reply(first)
            harness.reply(second)
    finally:
        release()
    return started, recorder


def _reaped_by_the_check(
    harness: Harness,
    recorder: Optional[Recorder] = None,
    handler: Optional[type] = None,
    attrs: Optional[dict[str, object]] = None,
    payload: bytes = b"ping\n",
) -> tuple[Any, int]:
    """Serve one request in a child, let it exit and reap it here; (server, wait status).

    ``handler`` (the reply handler by default) must record into ``recorder``: the child's
    PID is read from its events.
    """
    recorder = recorder if recorder is not None else harness.recorder()
    server = harness.make_server(handler, recorder=recorder, attrs=attrs)
    harness.exchange(server, payload)
    pids = _child_pids(recorder, 1, harness.timeout)
    assert pids, "expected the request to be handled in a child process"
    harness.wait_until(lambda: _exited(pids[0]))
    try:
        _, status = os.waitpid(pids[0], 0)
    except ChildProcessError:
        # Not a matter of applicability (the clause applies): what the check needs to
        # see is gone, as when the platform lacks /proc. No target is known to do this.
        pytest.skip("could not observe the child: the server reaped it before the check could")
    return server, status


@pytest.mark.clause("forking.process_request.child_exit_status")
def test_child_exits_with_status_zero(target: TargetLike, harness: Harness) -> None:
    """A child whose request was handled without error exits with status 0."""
    _, status = _reaped_by_the_check(harness)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    assert code == 0, f"expected the request child to exit with status 0; it exited with {code}"


@pytest.mark.clause("forking.children.reaped_elsewhere")
def test_child_reaped_elsewhere_is_tolerated(target: TargetLike, harness: Harness) -> None:
    """service_actions() does not raise for a child that was reaped by someone else."""
    server, _ = _reaped_by_the_check(harness)
    try:
        server.service_actions()
    except OSError as error:
        pytest.fail(f"expected collecting an already-reaped child to be harmless; raised {error!r}")


@pytest.mark.clause("forking.children.reaped")
def test_finished_children_are_reaped(target: TargetLike, harness: Harness) -> None:
    """While serve_forever runs, finished children are collected and leave no zombies."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder)
    with harness.serving(server):
        harness.reply(harness.send(server))
        pids = _child_pids(recorder, 1, harness.timeout)
        assert pids, "expected the request to be handled in a child process"
        reaped = harness.wait_until(lambda: _reaped(server, pids[0]))
    assert reaped, (
        f"expected serve_forever to collect finished child {pids[0]}; it stayed unreaped for "
        f"{harness.timeout:g} s"
    )


@pytest.mark.parametrize(
    "hook",
    [
        clause_param("forking.service_actions.collects_children", "service_actions"),
        clause_param("forking.handle_timeout.collects_children", "handle_timeout"),
    ],
)
def test_hook_collects_children(target: TargetLike, harness: Harness, hook: str) -> None:
    """service_actions() and handle_timeout() each collect children that have finished."""
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder)
    harness.exchange(server)
    pids = _child_pids(recorder, 1, harness.timeout)
    assert pids, "expected the request to be handled in a child process"
    pid = pids[0]
    harness.wait_until(lambda: _exited(pid))
    getattr(server, hook)()
    assert _reaped(server, pid), f"expected {hook}() to collect the finished child {pid}"


@pytest.mark.clause("forking.max_children.honoured")
def test_max_children_limits_children(target: TargetLike, harness: Harness) -> None:
    """With max_children=1 a second request waits until the first child has exited."""
    early, recorder = _second_child_meanwhile(harness, harness.grace, {"max_children": 1})
    assert not early, (
        "expected the second request to wait while max_children=1 child was running; "
        "a second child started at once"
    )
    order = [event.name for event in recorder.events if event.name in ("setup", "finish")]
    assert order == ["setup", "finish", "setup", "finish"], (
        f"expected the second child to start after the first finished; observed {order}"
    )


def _setups(events: list[Any]) -> int:
    return sum(event.name == "setup" for event in events)


def _close_with_running_child(
    harness: Harness, block_on_close: bool
) -> tuple[bool, Optional[str], int]:
    """server_close() while a child is blocked; returns (returned early, child state, pid)."""
    recorder = harness.recorder()
    hold, release = harness.release_pipe()
    server = configured_server(
        harness, harness.reply_handler(recorder, hold_fd=hold), {"block_on_close": block_on_close}
    )
    client = harness.send(server)
    harness.handle_one(server)
    pids = _child_pids(recorder, 1, harness.timeout)
    if not pids:
        release()
        pytest.fail("expected the request to start a child")
    pid = pids[0]
    states: list[Optional[str]] = []
    base = harness.server_base()

    def close() -> None:
        base.server_close(server)
        states.append(child_state(pid))

    closing = BackgroundCall(close, name="sockspec-server_close")
    returned_early = closing.wait(harness.grace)
    release()  # lets the child finish
    harness.reply(client)
    closing.wait(harness.timeout)
    return returned_early, states[0] if states else None, pid


@pytest.mark.clause("forking.block_on_close.waits")
def test_server_close_waits_for_children(target: TargetLike, harness: Harness) -> None:
    """With block_on_close true, server_close() returns after every child has exited."""
    if child_state(os.getpid()) is None:
        pytest.skip("needs /proc to observe a child process without reaping it")
    returned_early, state, pid = _close_with_running_child(harness, True)
    assert not returned_early, f"expected server_close() to wait for running child {pid}"
    assert state == "gone", f"expected child {pid} reaped when server_close() returned; {state}"


@pytest.mark.clause("resources.forking.no_children_after_close")
def test_no_unreaped_child_after_close(target: TargetLike, harness: Harness) -> None:
    """With block_on_close true, no unreaped child is left once server_close() returned."""
    if child_state(os.getpid()) is None:
        pytest.skip("needs /proc to observe a child process without reaping it")
    recorder = harness.recorder()
    server = harness.make_server(recorder=recorder, attrs={"block_on_close": True})
    harness.exchange(server)
    pids = _child_pids(recorder, 1, harness.timeout)
    assert pids, "expected the request to be handled in a child process"
    harness.wait_until(lambda: _exited(pids[0]))
    server.server_close()
    state = child_state(pids[0])
    assert state == "gone", f"expected no unreaped child after server_close(); child is {state}"


@pytest.mark.clause("forking.block_on_close.false_returns")
def test_server_close_without_waiting(target: TargetLike, harness: Harness) -> None:
    """With block_on_close false, server_close() returns while a child still runs."""
    if child_state(os.getpid()) is None:
        pytest.skip("needs /proc to observe a child process without reaping it")
    returned_early, state, pid = _close_with_running_child(harness, False)
    assert returned_early, "expected server_close() to return at once with block_on_close false"
    assert state == "running", f"expected child {pid} still running at return; it was {state}"


@pytest.mark.clause("forking.process_request.child_exit_status_error")
def test_child_exits_with_status_one_after_an_error(target: TargetLike, harness: Harness) -> None:
    """A child whose handler raised calls handle_error() and exits with status 1."""
    recorder = harness.recorder()

    def handle_error(self: Any, request: Any, client_address: Any) -> None:
        recorder.record("handle_error")  # no traceback in the output: the failure is deliberate

    _, status = _reaped_by_the_check(
        harness,
        recorder,
        harness.reply_handler(recorder, fail=True),
        {"handle_error": handle_error},
        b"fail\n",  # the reply handler raises for b"fail..."
    )
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    # The child's events travel to this process on their own: wait for the one expected.
    handled = len(recorder.wait_count("handle_error", 1, harness.timeout))
    assert handled == 1, f"expected the child to call handle_error() once; observed {handled}"
    assert code == 1, (
        f"expected a request child whose handler raised to exit with status 1; it exited with"
        f" {code}"
    )

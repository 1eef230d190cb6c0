"""Checks for shutdown(): it stops a running serve_forever() loop and waits for it.

Before any loop has run, shutdown() blocks until one does; after a loop has returned,
it does not (the docs' "otherwise it will deadlock" holds only for the first case).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sockspec.conformance.harness import (
    BackgroundCall,
    Harness,
    TargetLike,
)
from sockspec.conformance.preconditions import blocked


def _serve_then_shut_down(harness: Harness) -> tuple[Any, BackgroundCall, bool]:
    """Serve one request in a background loop, then shutdown() from another thread.

    Returns the server, the serving call and whether both the loop and shutdown() ended.
    """
    server = harness.make_server()
    serving = harness.serve_in_background(server)
    harness.reply(harness.send(server))
    stopping = BackgroundCall(server.shutdown, name="sockspec-shutdown")
    stopped = serving.wait(harness.timeout)
    # A loop that did not stop leaves shutdown() waiting too: only the grace, so the two
    # waits stay within the check's time limit and the check reports its own verdict.
    return server, serving, stopping.wait(harness.timeout if stopped else harness.grace) and stopped


@pytest.mark.clause("server.shutdown.stops_serve_forever")
def test_shutdown_stops_serve_forever(target: TargetLike, harness: Harness) -> None:
    """shutdown called from another thread makes serve_forever return."""
    _, serving, stopped = _serve_then_shut_down(harness)
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
        blocked(
            "server.serve_forever.service_actions",
            "serve_forever() never called service_actions() (needed to observe shutdown)",
        )
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


@pytest.mark.clause("server.shutdown.requires_running_loop")
def test_shutdown_blocks_until_serve_forever_runs(target: TargetLike, harness: Harness) -> None:
    """shutdown() before any serve_forever() has run blocks until one runs, then stops it."""
    server = harness.make_server()
    stopping = BackgroundCall(server.shutdown, name="sockspec-shutdown")
    returned_early = stopping.wait(harness.grace)
    serving = harness.serve_in_background(server)
    stopped = stopping.wait(harness.timeout) and serving.wait(harness.timeout)
    assert not returned_early, "expected shutdown() to block while no serve_forever() was running"
    assert stopped, "expected shutdown() and the late serve_forever() to return together"


@pytest.mark.clause("server.shutdown.after_finished_loop")
def test_shutdown_after_a_finished_loop_returns(target: TargetLike, harness: Harness) -> None:
    """After a serve_forever() loop has returned, a further shutdown() does not block."""
    server, _, stopped = _serve_then_shut_down(harness)
    if not stopped:
        blocked("server.shutdown.stops_serve_forever", "the first loop did not stop on shutdown()")
    second = BackgroundCall(server.shutdown, name="sockspec-shutdown-again")
    returned = second.wait(harness.timeout)
    if not returned:
        # Let the blocked call go, so the check leaves no thread behind.
        late = harness.serve_in_background(server)
        second.wait(harness.timeout)
        late.wait(harness.timeout)
    assert returned, (
        f"expected shutdown() after a finished serve_forever() to return; it was still "
        f"blocked after {harness.timeout:g} s"
    )
    assert second.error is None, f"expected shutdown() to return normally; got {second.error!r}"

"""The per-check time limit, and the early stop for a target whose checks keep hanging.

A check that runs past ``--sockspec-timeout`` is interrupted (SIGALRM in the main
thread, which also breaks a blocking ``select``), so the run goes on.  A check
*hung* when it was interrupted so, or when the harness gave up waiting for the
target (:class:`~sockspec.conformance.harness.HangError`).  After
:data:`~sockspec.conformance.state.HANG_LIMIT` hung checks in a row on one target, or
:data:`~sockspec.conformance.state.SAME_STEP_HANG_LIMIT` that hung at the same step
(the same hang message, interleaved with checks that pass), its remaining checks are
skipped with ``sockspec.not_run`` = ``target hangs: <the checks that hung>``; one
check that hangs among others that finish changes nothing.
Only checks that run the target's request loop (through the harness) and the warm-up
count: a check that only builds a server or introspects the class, in between, neither
ends nor extends a streak.

A hang at one of the harness's own steps (see ``HANG_STEPS`` in the harness) is charged
to the step's clause instead (:class:`~sockspec.conformance.harness.StepHang`, a blocked
verdict): counted once, when the step first hung and was waited for in full; after that
the step is known and costs later checks only a grace, so it never reaches the stop.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Generator
from contextlib import contextmanager
from types import FrameType
from typing import Optional

import pytest

from ..harness import HANG_STEPS, HangError, StepHang, interrupted_step
from ..state import (
    CLOSE_HUNG_KEY,
    HUNG_KEY,
    HUNG_STEP_KEY,
    PROP_NOT_RUN,
    SERVED_KEY,
    CheckTimeout,
    SuiteState,
    is_check_item,
    item_target,
    suite_state,
)

__all__ = [
    "HUNG_KEY",
    "not_run_reason",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "time_limit",
]


@contextmanager
def time_limit(seconds: float, what: str) -> Generator[None, None, None]:
    """Raise CheckTimeout in the main thread after ``seconds`` (where SIGALRM exists).

    Nests: an inner limit never outlives the outer one, and the outer limit is re-armed
    with its remaining time when the inner block ends.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    outer_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    limit = min(seconds, outer_remaining) if outer_remaining > 0 else seconds
    started = time.monotonic()

    def on_alarm(signum: int, frame: Optional[FrameType]) -> None:
        raise CheckTimeout(f"{what} did not finish within {limit:g} s (the target hung?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining > 0:
            left = outer_remaining - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))


def exit_if_forked_child(state: SuiteState) -> None:
    """End a forked child of the target that returned into pytest instead of exiting."""
    # It must not go on running the suite (it would duplicate every later check).
    if os.getpid() != state.main_pid:
        os._exit(70)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Set the check up under the time limit."""
    if not is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    try:
        with time_limit(state.timeout, "setting up the check"):
            return (yield)
    finally:
        exit_if_forked_child(state)


def not_run_reason(state: SuiteState, item: pytest.Item) -> Optional[str]:
    """``target hangs: ...`` when the item's target was already stopped for hanging."""
    found = item_target(item)
    return state.hangs(found) if found is not None else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run the check under the time limit."""
    if not is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    try:
        with time_limit(state.timeout, "the check"):
            return (yield)
    except (StepHang, pytest.skip.Exception, pytest.exit.Exception, KeyboardInterrupt):
        raise
    except BaseException as error:
        # The check reached a step known to hang (perhaps in a thread of its own) and was
        # given up on there: what it asserted after is not evidence about its clause.
        harness = getattr(item, "funcargs", {}).get("harness")
        reached: list[StepHang] = list(getattr(harness, "step_hangs", None) or [])
        if reached:
            raise reached[0] from error
        if not isinstance(error, CheckTimeout):
            raise
        # A hang at a step whose clause is known is that clause's verdict, not this check's.
        step = interrupted_step(error.__traceback__)
        found = item_target(item)
        if step is None or found is None:
            raise
        name = getattr(item, "originalname", None) or item.name
        state.known_hangs_of(found).note(step, name)
        what = HANG_STEPS[step].what
        reason = f"{what} did not return within {state.timeout:g} s"
        raise StepHang(step, reason, waited=True) from error
    finally:
        exit_if_forked_child(state)


def _hung(call: pytest.CallInfo[None]) -> bool:
    # A step known to hang that was waited for only its grace is not a hang of this check.
    if call.excinfo is not None and isinstance(call.excinfo.value, StepHang):
        return call.excinfo.value.waited
    return call.excinfo is not None and call.excinfo.errisinstance((CheckTimeout, HangError))


# A plain hook that returns None, so pytest's own implementation still makes the report.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """Count hung checks per target (any phase); one that ran the target and did not hang
    ends the streak."""
    found = item_target(item) if is_check_item(item) else None
    if found is None or dict(item.user_properties).get(PROP_NOT_RUN):
        return
    if _hung(call) and call.excinfo is not None:
        item.stash[HUNG_KEY] = True
        item.stash[CLOSE_HUNG_KEY] = False
        error = call.excinfo.value
        item.stash.setdefault(
            HUNG_STEP_KEY, error.reason if isinstance(error, StepHang) else str(error)
        )
    hung = item.stash.get(HUNG_KEY, False)
    # Only checks that ran the target's request loop count: a check that only built a
    # server, or only introspected, between two hung ones neither extends nor ends a streak.
    served = item.stash.get(SERVED_KEY, None)
    if call.when == "teardown" and (hung or (served is not None and served())):
        name = getattr(item, "originalname", None) or item.name
        step = item.stash.get(HUNG_STEP_KEY, "")
        in_streak = not item.stash.get(CLOSE_HUNG_KEY, False)
        suite_state(item.config).note_check(found, name, hung, step, in_streak)

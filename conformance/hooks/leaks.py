"""The resource guard: descriptors, threads and children a check leaves behind.

Before a target's first check its runtime is warmed up (one construct, serve and
close cycle through the harness, see :func:`~sockspec.conformance.harness.warm_up`;
a server without a concurrency mix-in trait also has its ``process_request`` probed,
see :func:`~sockspec.conformance.harness.hands_off_requests`):
what the runtime opens for itself on first use (an event loop's wake-up pipe, a
thread pool, a logging handler's file) then already exists when each check's
snapshot is taken, and is never charged to a check.  A server that leaks a socket,
thread or child on every use is still caught by the checks that follow.  A leak is
charged to the clause the catalogue names for its kind (``charges_leaks``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Optional

import pytest

from .. import guard
from ..harness import (
    HangError,
    StepHang,
    construction_problem,
    hands_off_requests,
    mark_stuck_harness_threads,
    warm_up,
)
from ..state import (
    ABANDONED_KEY,
    LEAK_GRACE,
    PROP_ABANDONED,
    PROP_LEAK,
    PROP_LEAK_CLAUSE,
    CheckTimeout,
    ResourceLeak,
    SuiteState,
    is_check_item,
    item_target,
    suite_state,
)
from ..targets import Target
from .timeouts import HUNG_KEY, exit_if_forked_child, time_limit

if TYPE_CHECKING:
    from sockspec.spec.catalogue import LeakKind

__all__ = ["pytest_runtest_setup", "pytest_runtest_teardown"]

SNAPSHOT_KEY = pytest.StashKey[guard.Snapshot]()


def _warm_up_once(state: SuiteState, found: Optional[Target]) -> None:
    if found is None or found.spec in state.warmed_up or state.hangs(found) is not None:
        return
    state.warmed_up.add(found.spec)
    if construction_problem(found) is not None:
        return  # reported once as the target's problem; nothing to warm up
    # A crash in these steps is the target's, but not the check's whose set-up runs them.
    state.step_started("the warm-up")
    try:
        _warm_up(state, found)
    finally:
        state.step_started("")


def _warm_up(state: SuiteState, found: Target) -> None:
    wait = max(0.1, state.timeout / 2)
    known = state.known_hangs_of(found)
    hung = ""
    try:
        with time_limit(wait * 2, "warming up the target"):
            warm_up(found, wait, known)
    except StepHang as error:
        hung = error.reason  # and the step is known to hang: no check waits for it again
    except (CheckTimeout, HangError) as error:
        hung = str(error) or "warming up"  # the first of the hangs that stop a target early
    except Exception:
        pass
    finally:
        exit_if_forked_child(state)
    state.note_check(found, "warm-up", bool(hung), hung)
    if not found.traits & {"threading", "forking"}:
        # Apart from the warm-up: it needs only handle_request(), not serve_forever() or
        # shutdown() (paste's pool server hangs in those, and still hands requests off).
        try:
            with time_limit(wait * 2, "probing process_request"):
                state.handed_off[found.spec] = hands_off_requests(found, wait, known)
        except (Exception, StepHang):
            pass  # CheckTimeout, HangError, the target's own error: no verdict, none assumed
        finally:
            exit_if_forked_child(state)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Warm the target up once, then snapshot resources (before any fixture runs)."""
    if not is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    _warm_up_once(state, item_target(item))
    item.stash[SNAPSHOT_KEY] = guard.take_snapshot()
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Tear down under the time limit, then fail the check if it leaked resources."""
    if not is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    try:
        with time_limit(state.timeout, "tearing down the check"):
            result = yield
    except BaseException:
        exit_if_forked_child(state)
        _guard_resources(item, state)
        raise
    exit_if_forked_child(state)
    message = _guard_resources(item, state)
    if message is not None:
        # Raised from the teardown phase: the check's own clause keeps its verdict and the
        # leak is reported against the resources clause.
        raise ResourceLeak(message)
    return result


def _guard_resources(item: pytest.Item, state: SuiteState) -> Optional[str]:
    """Find, record and clean up what the check left behind; the failure message if any."""
    before = item.stash.get(SNAPSHOT_KEY, None)
    if before is None:
        return None
    abandoned = item.stash.get(ABANDONED_KEY, None)
    if abandoned is not None:
        # The harness left a server that would not stop or close (that hang is charged to
        # the step's clause): what it still holds is not the check's leak, and the record
        # says that nothing was judged.  Later checks' snapshots include it.
        mark_stuck_harness_threads(before)
        item.user_properties.append(
            (PROP_ABANDONED, f"server abandoned, its leftovers not judged as leaks: {abandoned}")
        )
        return None
    if item.stash.get(HUNG_KEY, False):
        # The check hung (and says so): the harness threads it left stuck in the target
        # are that hang, not a leak of the server.
        mark_stuck_harness_threads(before)
    leaks = guard.find_leaks(before, LEAK_GRACE)
    if not leaks:
        return None
    guard.clean_up(leaks)
    clause = leak_clause(state, leaks, item_target(item))
    description = leaks.describe()
    item.user_properties.append((PROP_LEAK, description))
    item.user_properties.append((PROP_LEAK_CLAUSE, clause or ""))
    return f"{clause or 'resources'}: the check left {description}"


def leak_clause(state: SuiteState, leaks: guard.Leaks, target: Optional[Target]) -> Optional[str]:
    """The clause the catalogue charges this kind of leak to (threads, children, else fds).

    None when no clause charging that kind applies to the target: the leak is then the
    leaking check's own failure.
    """
    kind: LeakKind = "thread" if leaks.threads else "child" if leaks.children else "descriptor"
    if target is None:
        return None
    try:
        clause = state.catalogue.leak_clause(
            kind, target.traits, edition=state.edition, version=state.version
        )
    except ValueError:  # CatalogueError
        return None
    return None if clause is None else clause.id

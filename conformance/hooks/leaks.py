"""The resource guard: descriptors, threads and children a check leaves behind.

Before a target's first check its runtime is warmed up (one construct, serve and
close cycle through the harness, see :func:`~sockspec.conformance.harness.warm_up`):
what the runtime opens for itself on first use (an event loop's wake-up pipe, a
thread pool, a logging handler's file) then already exists when each check's
snapshot is taken, and is never charged to a check.  A server that leaks a socket,
thread or child on every use is still caught by the checks that follow.  A leak is
charged to the resources clause the catalogue names for its kind.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Optional

import pytest

from .. import guard
from ..harness import warm_up
from ..state import (
    LEAK_GRACE,
    PROP_LEAK,
    PROP_LEAK_CLAUSE,
    ResourceLeak,
    SuiteState,
    is_check_item,
    item_target,
    suite_state,
)
from ..targets import Target, missing_traits
from .timeouts import exit_if_forked_child, time_limit

__all__ = ["pytest_runtest_setup", "pytest_runtest_teardown"]

SNAPSHOT_KEY = pytest.StashKey[guard.Snapshot]()


def _warm_up_once(state: SuiteState, found: Optional[Target]) -> None:
    if found is None or found.spec in state.warmed_up or state.hangs(found) is not None:
        return
    state.warmed_up.add(found.spec)
    try:
        with time_limit(state.timeout, "warming up the target"):
            warm_up(found, max(0.1, state.timeout / 2))
    except Exception:
        pass
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
    """The ``resources.*`` clause a leak violates: threads, children, else descriptors."""
    words: tuple[str, ...]
    if leaks.threads:
        words = ("thread",)
    elif leaks.children:
        words = ("child", "fork", "reap")
    else:
        words = ("socket", "fd", "descriptor", "close", "request")
    try:
        resources = [
            clause
            for clause in state.catalogue.clauses
            if clause.section == "resources" and state.selected(clause)
        ]
    except ValueError:  # CatalogueError
        return None
    applicable = [
        clause
        for clause in resources
        if target is None or not missing_traits(clause.applies_to, target)
    ]
    for pool in (applicable, resources):
        for clause in pool:
            if any(word in clause.id for word in words):
                return clause.id
    return applicable[0].id if applicable else None

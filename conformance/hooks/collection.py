"""Collection: parametrize checks over targets, decide applicability, apply the xfail file.

Also the fixtures every check may request (``target``, ``check_timeout``,
``harness``, ``sockspec_edition``): they live in the plugin, not in the checks'
``conftest.py``, so that a check imported into a project's own test module (see
:mod:`sockspec.conformance.suite`) finds them too.
"""

from __future__ import annotations

import socket
from collections.abc import Generator
from typing import TYPE_CHECKING, Optional

import pytest

from ..harness import Harness, construction_problem, ipv6_available
from ..selection import matches_globs, not_selected_reason
from ..state import (
    ABANDONED_KEY,
    CLOSE_HUNG_KEY,
    HUNG_KEY,
    HUNG_STEP_KEY,
    PROP_CLAUSE,
    PROP_NOT_RUN,
    PROP_TARGET,
    PROP_XFAIL,
    SERVED_KEY,
    SuiteState,
    clause_marks,
    clause_of,
    is_check_item,
    is_conformance_check,
    item_target,
    mark_clause_id,
    suite_state,
)
from ..targets import Target, TargetError, missing_traits
from ..xfails import find_entry
from .timeouts import not_run_reason

if TYPE_CHECKING:
    from sockspec.spec.catalogue import Clause

__all__ = [
    "check_timeout",
    "harness",
    "pytest_collection_modifyitems",
    "pytest_generate_tests",
    "pytest_runtest_setup",
    "sockspec_edition",
    "target",
]

INVALID_KEY = pytest.StashKey[str]()


def _targets_from_module(metafunc: pytest.Metafunc) -> bool:
    # A test module that defines its own ``target`` fixture (the route of
    # sockspec.conformance.suite) parametrizes it itself.
    module: object = getattr(metafunc, "module", None)
    own = getattr(module, "target", None)
    return own is not None and own is not target


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``target`` of every conformance check over the session's targets."""
    if "target" not in metafunc.fixturenames or not is_conformance_check(metafunc.function):
        return
    if _targets_from_module(metafunc):
        return
    state = suite_state(metafunc.config)
    try:
        targets = state.targets
    except TargetError as error:
        raise pytest.UsageError(f"sockspec: {error}") from None
    metafunc.parametrize(
        "target", targets, indirect=True, ids=[target.spec for target in targets], scope="function"
    )


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Target:
    """The class under verification (parametrized by the sockspec plugin)."""
    param = getattr(request, "param", None)
    if not isinstance(param, Target):
        raise pytest.UsageError(
            "the 'target' fixture is provided to sockspec conformance checks only"
        )
    return param


@pytest.fixture
def check_timeout(request: pytest.FixtureRequest) -> float:
    """Seconds a single wait inside a check may take (half the per-check timeout)."""
    return max(0.1, suite_state(request.config).timeout / 2)


@pytest.fixture
def harness(
    request: pytest.FixtureRequest, target: Target, check_timeout: float
) -> Generator[Harness, None, None]:
    """A :class:`Harness` for the target; skips when the machine lacks its address family.

    A server whose constructor the suite cannot call (and no adapter) is one problem of
    the target, recorded once by the collector; the checks that need a server are then
    not run rather than failed.
    """
    if "inet6" in target.traits and not ipv6_available():
        pytest.skip("IPv6 loopback ::1 is not available on this machine")
    if "unix" in target.traits and not hasattr(socket, "AF_UNIX"):
        pytest.skip("AF_UNIX sockets are not available on this platform")
    problem = construction_problem(target)
    if problem is not None:
        reason = f"the target cannot be constructed: {problem}"
        request.node.user_properties.append((PROP_NOT_RUN, reason))
        pytest.skip(reason)
    opened = Harness(target, check_timeout)
    opened.known_hangs = suite_state(request.config).known_hangs_of(target)
    opened.check_name = getattr(request.node, "originalname", None) or request.node.name
    try:
        with opened:
            request.node.stash[SERVED_KEY] = lambda: opened.served
            yield opened
    finally:
        if opened.abandoned:
            request.node.stash[ABANDONED_KEY] = "; ".join(dict.fromkeys(opened.abandoned))
        if opened.close_hang is not None:
            # The check's verdict stands; the hang counts towards stopping the target, and
            # the harness thread stuck in server_close() is that hang, not a leak.
            stash = request.node.stash
            stash.setdefault(CLOSE_HUNG_KEY, not stash.get(HUNG_KEY, False))
            stash[HUNG_KEY] = True
            stash.setdefault(HUNG_STEP_KEY, opened.close_hang)


@pytest.fixture
def sockspec_edition(request: pytest.FixtureRequest) -> str:
    """The edition the session verifies (``current`` unless the plugin says otherwise)."""
    return str(suite_state(request.config).edition)


def _problem(item: pytest.Item, state: SuiteState) -> Optional[str]:
    """Why a check cannot run as written (a bug in the check, reported as an error)."""
    marks = clause_marks(item)
    if len(marks) != 1:
        return f"a conformance check needs exactly one clause marker, found {len(marks)}"
    clause_id = mark_clause_id(marks[0])
    if not isinstance(clause_id, str) or clause_id not in state.catalogue:
        return f"clause marker names {clause_id!r}, which is not in the catalogue"
    return None


def _not_applicable(clause: Clause, target: Target) -> Optional[str]:
    missing = missing_traits(clause.applies_to, target)
    if missing:
        return f"not applicable: needs {', '.join(missing)}"
    # The needed traits (with a handler's server context) are there: what is left is
    # whether the target has a trait the clause excludes.
    reason = clause.inapplicable_reason(target.traits | clause.applies_to)
    return None if reason is None else f"not applicable: {reason}"


# First, so that -k sees the clause IDs and the deselected checks never reach other plugins.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip inapplicable checks, apply --sockspec-clause and the xfail file."""
    checks = [item for item in items if is_check_item(item)]
    if not checks:
        return
    state = suite_state(config)
    try:
        catalogue = state.catalogue
    except ValueError as error:  # CatalogueError: the shipped catalogue is broken
        raise pytest.UsageError(f"sockspec: {error}") from None
    deselected: list[pytest.Item] = []
    for item in checks:
        clause_id = clause_of(item)
        if state.clause_globs and not (clause_id and matches_globs(clause_id, state.clause_globs)):
            deselected.append(item)
            continue
        problem = _problem(item, state)
        if problem is not None or clause_id is None:
            item.stash[INVALID_KEY] = problem or "no clause marker"
            continue
        clause = catalogue.get(clause_id)
        item.extra_keyword_matches.add(clause_id)
        found = item_target(item)
        if found is None:
            continue
        item.user_properties.append((PROP_CLAUSE, clause_id))
        item.user_properties.append((PROP_TARGET, found.spec))
        reason = not_selected_reason(clause, state.edition, state.version) or _not_applicable(
            clause, found
        )
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
            continue
        entry = find_entry(state.xfails, found.spec, clause_id)
        if entry is not None:
            state.matched_xfails.add(entry.line)
            item.user_properties.append((PROP_XFAIL, entry.label))
            item.add_marker(
                pytest.mark.xfail(reason=f"known deviation: {entry.reason}", strict=False)
            )
    state.checks_collected += len(checks) - len(deselected)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        dropped = set(deselected)
        items[:] = [item for item in items if item not in dropped]


# A plain hook, not a wrapper: it runs inside every plugin's setup wrapper, so a check it
# stops is torn down like any skipped test (the way pytest's own skip marks work).
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Error a malformed check; skip, as not run, the checks of a target that hangs."""
    if not is_check_item(item):
        return
    invalid = item.stash.get(INVALID_KEY, None)
    if invalid is not None:
        pytest.fail(f"malformed conformance check: {invalid}", pytrace=False)
    state = suite_state(item.config)
    reason = not_run_reason(state, item)
    if reason is not None:
        item.user_properties.append((PROP_NOT_RUN, reason))
        pytest.skip(reason)
    handed_off = _handed_off(state, item)
    if handed_off is not None:
        pytest.skip(f"not applicable: {handed_off}; the clause is about synchronous servers")


def _handed_off(state: SuiteState, item: pytest.Item) -> Optional[str]:
    """How the target hands requests off, for a clause about servers without a mix-in.

    The catalogue marks those clauses by excluding both concurrency traits; a server whose
    mix-in's process_request() was seen running finish_request() in another thread (the
    warm-up's probe) is not synchronous either, whatever its traits say.
    """
    found, clause_id = item_target(item), clause_of(item)
    if found is None or clause_id is None or clause_id not in state.catalogue:
        return None
    if not {"threading", "forking"} <= set(state.catalogue.get(clause_id).excludes):
        return None
    return state.handed_off.get(found.spec)

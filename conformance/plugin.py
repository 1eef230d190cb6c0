"""The pytest plugin that runs the conformance suite (registered as ``pytest11`` ``sockspec``).

Run the suite against a class or a module::

    pytest --pyargs sockspec.conformance.checks --sockspec-target=mypkg.server:MyServer

Options (each also an ini setting, for a project's own pytest configuration):
``--sockspec-target`` (repeatable; ini ``sockspec_targets``, one a line),
``--sockspec-edition classic|current`` (ini ``sockspec_edition``),
``--sockspec-timeout SECONDS`` (ini ``sockspec_timeout``), ``--sockspec-xfail-file``
(ini ``sockspec_xfail_file``), ``--sockspec-clause GLOB`` (repeatable).

What it does to a *conformance check* (a test function defined in
``sockspec.conformance.checks``, wherever it is collected from):

* parametrizes the ``target`` fixture over the resolved targets (test IDs carry
  the target spec; the stdlib ``socketserver`` module when none is given);
* requires exactly one ``@pytest.mark.clause("<id>")`` naming a catalogue
  clause, adds the clause ID as a ``-k`` keyword, and skips the check with a
  reason when the clause is not in the selected edition or Python version, or
  when the target lacks one of its traits (``not applicable: needs datagram``);
* marks known deviations from the xfail file as ``xfail`` (non-strict);
* interrupts a check that runs longer than the timeout (SIGALRM in the main
  thread, which also breaks a blocking ``select``), so the run goes on;
* guards resources: descriptors, threads and child processes a check leaves
  behind fail it under a ``resources.*`` clause and are cleaned up;
* on failure shows a reproducer: the ``reproducer=`` keyword of the clause
  marker if the check gives one (``{module}``, ``{qualname}`` and ``{spec}``
  are filled in), then the commands that rerun just this check.

Every other test is left alone: the plugin is loaded in every pytest session
where sockspec is installed and must change nothing there.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Optional, cast

import pytest

from . import guard
from .selection import is_selected, not_selected_reason
from .targets import Target, TargetError, missing_traits, resolve_targets
from .xfails import XfailEntry, XfailFileError, find_entry, parse_xfail_file

if TYPE_CHECKING:
    from sockspec.spec.catalogue import Catalogue, Clause, Edition

# The plugin is loaded in every pytest session where sockspec is installed: it imports the
# catalogue only once a session actually runs conformance checks, so that nothing else
# depends on it.
EDITIONS: tuple[Edition, ...] = ("classic", "current")

__all__ = [
    "CHECKS_PACKAGE",
    "DEFAULT_TARGET",
    "DEFAULT_TIMEOUT",
    "CheckTimeout",
    "ResourceLeak",
    "SuiteState",
    "is_conformance_check",
    "suite_state",
]

#: The package whose test functions are conformance checks.
CHECKS_PACKAGE = "sockspec.conformance.checks"
#: Verified when a session collects the checks without naming a target.
DEFAULT_TARGET = "socketserver"
#: Seconds a check may run before it is interrupted.
DEFAULT_TIMEOUT = 10.0
#: Seconds a check's leftover threads and children get to finish before they count as leaks.
LEAK_GRACE = 1.0

#: user_properties keys the plugin attaches to every conformance report.
PROP_CLAUSE = "sockspec.clause"
PROP_TARGET = "sockspec.target"
PROP_LEAK = "sockspec.leak"
PROP_LEAK_CLAUSE = "sockspec.leak_clause"
PROP_REPRODUCER = "sockspec.reproducer"
PROP_XFAIL = "sockspec.xfail"


class CheckTimeout(Exception):
    """A check ran longer than ``--sockspec-timeout``: the implementation probably hung."""


class ResourceLeak(Exception):
    """A check left descriptors, threads or child processes behind."""


@dataclass
class SuiteState:
    """What the plugin resolved for a session that runs conformance checks."""

    edition: Edition
    version: tuple[int, int]
    timeout: float
    target_texts: list[str]
    clause_globs: list[str]
    xfails: list[XfailEntry]
    main_pid: int = field(default_factory=os.getpid)
    _targets: Optional[list[Target]] = None
    _catalogue: Optional[Catalogue] = None
    matched_xfails: set[int] = field(default_factory=set[int])
    checks_collected: int = 0

    @property
    def targets(self) -> list[Target]:
        """The resolved targets, in the order given (resolved once)."""
        if self._targets is None:
            found: list[Target] = []
            for text in self.target_texts:
                found.extend(resolve_targets(text))
            self._targets = found
        return self._targets

    @property
    def catalogue(self) -> Catalogue:
        """The clause catalogue (loaded once)."""
        if self._catalogue is None:
            from sockspec.spec.catalogue import load_catalogue

            self._catalogue = load_catalogue()
        return self._catalogue

    def selected(self, clause: Clause) -> bool:
        """True when this session's edition and Python verify ``clause``."""
        return is_selected(clause, self.edition, self.version)

    def unmatched_xfails(self) -> list[XfailEntry]:
        """Xfail entries that covered no applicable check in this session."""
        return [entry for entry in self.xfails if entry.line not in self.matched_xfails]


_STATE_KEY = pytest.StashKey[SuiteState]()
_SNAPSHOT_KEY = pytest.StashKey[guard.Snapshot]()
_INVALID_KEY = pytest.StashKey[str]()


def suite_state(config: pytest.Config) -> SuiteState:
    """The session's :class:`SuiteState` (built by the plugin at configure time)."""
    return config.stash[_STATE_KEY]


def is_conformance_check(function: object) -> bool:
    """True for a test function defined in the conformance checks package."""
    module = getattr(function, "__module__", None) or ""
    if module == CHECKS_PACKAGE or module.startswith(CHECKS_PACKAGE + "."):
        return True
    # pytest's default import mode may import the package under another name (for example
    # ``conformance.checks.test_x`` from an editable install): the file's location decides.
    code = getattr(function, "__code__", None)
    filename = getattr(code, "co_filename", None)
    if not isinstance(filename, str) or "checks" not in filename:
        return False
    directory = checks_directory()
    # Resolve the directory, not the file: an editable install links files, not folders.
    parent = Path(filename).parent.resolve()
    return directory is not None and (parent == directory or directory in parent.parents)


@functools.lru_cache(maxsize=1)
def checks_directory() -> Optional[Path]:
    spec = importlib.util.find_spec(CHECKS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _is_check_item(item: pytest.Item) -> bool:
    return isinstance(item, pytest.Function) and is_conformance_check(
        getattr(item, "function", None)
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the suite's options and ini settings."""
    group = parser.getgroup("sockspec", "sockspec conformance suite")
    group.addoption(
        "--sockspec-target",
        action="append",
        default=[],
        metavar="TARGET",
        help="module or module:QualName[traits] to verify (repeatable; default socketserver)",
    )
    group.addoption(
        "--sockspec-edition",
        choices=list(EDITIONS),
        default=None,
        help="which documentation the clauses come from (default: current)",
    )
    group.addoption(
        "--sockspec-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"interrupt a check after this long (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--sockspec-xfail-file",
        default=None,
        metavar="FILE",
        help="known deviations: lines of '<target-glob> <clause-glob> <reason>'",
    )
    group.addoption(
        "--sockspec-results",
        default=None,
        metavar="FILE",
        help="write per-check results as JSON lines (used by sockspec-conformance)",
    )
    group.addoption(
        "--sockspec-clause",
        action="append",
        default=[],
        metavar="GLOB",
        help="only run checks of clauses matching this glob (repeatable)",
    )
    parser.addini("sockspec_targets", "conformance targets, one a line", type="linelist")
    parser.addini("sockspec_edition", "conformance edition: classic or current", default="")
    parser.addini("sockspec_timeout", "seconds before a conformance check is interrupted")
    parser.addini("sockspec_xfail_file", "known deviations of the implementation", default="")


_EDITION_BY_NAME: dict[str, Edition] = {name: name for name in EDITIONS}


def _build_state(config: pytest.Config) -> SuiteState:
    option = config.option
    targets = cast("list[str]", option.sockspec_target) or cast(
        "list[str]", config.getini("sockspec_targets")
    )
    edition_text = option.sockspec_edition or str(config.getini("sockspec_edition") or "current")
    edition = _EDITION_BY_NAME.get(edition_text)
    if edition is None:
        raise pytest.UsageError(f"sockspec_edition must be one of {', '.join(EDITIONS)}")
    timeout_value = option.sockspec_timeout
    if timeout_value is None:
        raw = config.getini("sockspec_timeout")
        try:
            timeout_value = float(str(raw)) if raw else DEFAULT_TIMEOUT
        except ValueError:
            raise pytest.UsageError(f"sockspec_timeout must be a number, got {raw!r}") from None
    timeout = float(timeout_value)
    if timeout <= 0:
        raise pytest.UsageError("--sockspec-timeout must be positive")
    xfail_path = option.sockspec_xfail_file or str(config.getini("sockspec_xfail_file") or "")
    xfails: list[XfailEntry] = []
    if xfail_path:
        try:
            xfails = parse_xfail_file(xfail_path)
        except XfailFileError as error:
            raise pytest.UsageError(str(error)) from None
    return SuiteState(
        edition=edition,
        version=(sys.version_info[0], sys.version_info[1]),
        timeout=timeout,
        target_texts=list(targets) or [DEFAULT_TARGET],
        clause_globs=list(cast("list[str]", option.sockspec_clause)),
        xfails=xfails,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; resolve explicitly given targets early, for a one-line error."""
    config.addinivalue_line(
        "markers",
        "clause(id, reproducer=None): the catalogue clause a conformance check verifies",
    )
    state = _build_state(config)
    config.stash[_STATE_KEY] = state
    if config.option.sockspec_target or config.getini("sockspec_targets"):
        try:
            state.targets  # noqa: B018 - resolve now so that a bad target is a usage error
            state.catalogue  # noqa: B018
        except (TargetError, ValueError) as error:  # CatalogueError is a ValueError
            raise pytest.UsageError(f"sockspec: {error}") from None
    results = getattr(config.option, "sockspec_results", None)
    if results:
        from .collector import ResultCollector

        config.pluginmanager.register(ResultCollector(results, state), "sockspec-results")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``target`` of every conformance check over the session's targets."""
    if "target" not in metafunc.fixturenames or not is_conformance_check(metafunc.function):
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


def _clause_marks(item: pytest.Item) -> list[pytest.Mark]:
    return list(item.iter_markers("clause"))


def _mark_clause_id(mark: pytest.Mark) -> object:
    if mark.args:
        return mark.args[0]
    return mark.kwargs.get("id")


def _item_target(item: pytest.Item) -> Optional[Target]:
    callspec = getattr(item, "callspec", None)
    params: dict[str, object] = getattr(callspec, "params", {})
    found = params.get("target")
    return found if isinstance(found, Target) else None


def _problem(item: pytest.Item, state: SuiteState) -> Optional[str]:
    """Why a check cannot run as written (a bug in the check, reported as an error)."""
    marks = _clause_marks(item)
    if len(marks) != 1:
        return f"a conformance check needs exactly one clause marker, found {len(marks)}"
    clause_id = _mark_clause_id(marks[0])
    if not isinstance(clause_id, str) or clause_id not in state.catalogue:
        return f"clause marker names {clause_id!r}, which is not in the catalogue"
    return None


def clause_of(item: pytest.Item) -> Optional[str]:
    """The clause ID a conformance item verifies, if it names exactly one known clause."""
    marks = _clause_marks(item)
    if len(marks) != 1:
        return None
    clause_id = _mark_clause_id(marks[0])
    return clause_id if isinstance(clause_id, str) else None


def _not_applicable(clause: Clause, target: Target) -> Optional[str]:
    missing = missing_traits(clause.applies_to, target)
    if missing:
        return f"not applicable: needs {', '.join(missing)}"
    # The needed traits (with a handler's server context) are there: what is left is
    # whether the target has a trait the clause excludes.
    reason = clause.inapplicable_reason(target.traits | clause.applies_to)
    return None if reason is None else f"not applicable: {reason}"


def _not_selected(clause: Clause, state: SuiteState) -> Optional[str]:
    return not_selected_reason(clause, state.edition, state.version)


# First, so that -k sees the clause IDs and the deselected checks never reach other plugins.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Skip inapplicable checks, apply --sockspec-clause and the xfail file."""
    checks = [item for item in items if _is_check_item(item)]
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
        if state.clause_globs and not (
            clause_id and any(fnmatchcase(clause_id, glob) for glob in state.clause_globs)
        ):
            deselected.append(item)
            continue
        problem = _problem(item, state)
        if problem is not None or clause_id is None:
            item.stash[_INVALID_KEY] = problem or "no clause marker"
            continue
        clause = catalogue.get(clause_id)
        item.extra_keyword_matches.add(clause_id)
        target = _item_target(item)
        if target is None:
            continue
        item.user_properties.append((PROP_CLAUSE, clause_id))
        item.user_properties.append((PROP_TARGET, target.spec))
        reason = _not_selected(clause, state) or _not_applicable(clause, target)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
            continue
        entry = find_entry(state.xfails, target.spec, clause_id)
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


# --- per-check timeout -------------------------------------------------------------------------


@contextmanager
def _time_limit(seconds: float, what: str) -> Generator[None, None, None]:
    """Raise CheckTimeout in the main thread after ``seconds`` (where SIGALRM exists)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def on_alarm(signum: int, frame: Optional[FrameType]) -> None:
        raise CheckTimeout(f"{what} did not finish within {seconds:g} s (the target hung?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _exit_if_forked_child(state: SuiteState) -> None:
    # A target's forked child that returned into pytest instead of exiting must not go on
    # running the suite (it would duplicate every later check).
    if os.getpid() != state.main_pid:
        os._exit(70)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Snapshot resources, reject malformed checks, then set up under the time limit."""
    if not _is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    item.stash[_SNAPSHOT_KEY] = guard.take_snapshot()
    invalid = item.stash.get(_INVALID_KEY, None)
    if invalid is not None:
        pytest.fail(f"malformed conformance check: {invalid}", pytrace=False)
    try:
        with _time_limit(state.timeout, "setting up the check"):
            return (yield)
    finally:
        _exit_if_forked_child(state)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Run the check under the time limit."""
    if not _is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    try:
        with _time_limit(state.timeout, "the check"):
            return (yield)
    finally:
        _exit_if_forked_child(state)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """Tear down under the time limit, then fail the check if it leaked resources."""
    if not _is_check_item(item):
        return (yield)
    state = suite_state(item.config)
    try:
        with _time_limit(state.timeout, "tearing down the check"):
            result = yield
    except BaseException:
        _exit_if_forked_child(state)
        _guard_resources(item, state)
        raise
    _exit_if_forked_child(state)
    message = _guard_resources(item, state)
    if message is not None:
        # Raised from the teardown phase: the check's own clause keeps its verdict and the
        # leak is reported against the resources clause.
        raise ResourceLeak(message)
    return result


def _guard_resources(item: pytest.Item, state: SuiteState) -> Optional[str]:
    """Find, record and clean up what the check left behind; the failure message if any."""
    before = item.stash.get(_SNAPSHOT_KEY, None)
    if before is None:
        return None
    leaks = guard.find_leaks(before, LEAK_GRACE)
    if not leaks:
        return None
    guard.clean_up(leaks)
    clause = _leak_clause(state, leaks, _item_target(item))
    description = leaks.describe()
    item.user_properties.append((PROP_LEAK, description))
    item.user_properties.append((PROP_LEAK_CLAUSE, clause or ""))
    return f"{clause or 'resources'}: the check left {description}"


def _leak_clause(state: SuiteState, leaks: guard.Leaks, target: Optional[Target]) -> Optional[str]:
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


# --- reporting ---------------------------------------------------------------------------------


def reproducer_for(item: pytest.Item, target: Target) -> str:
    """A few lines a user can paste to rerun one failing check against one target."""
    marks = _clause_marks(item)
    clause_id = clause_of(item) or "?"
    lines: list[str] = []
    doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
    if doc:
        lines.append(f"# expected: {doc.splitlines()[0]}")
    custom = marks[0].kwargs.get("reproducer") if marks else None
    if isinstance(custom, str) and custom.strip():
        module, _, qualname = target.spec.split("[", 1)[0].partition(":")
        try:
            snippet = (
                textwrap.dedent(custom)
                .strip()
                .format(module=module, qualname=qualname, spec=target.spec)
            )
        except (KeyError, IndexError, ValueError):
            snippet = textwrap.dedent(custom).strip()
        lines.append(snippet)
    function_name = getattr(item, "originalname", item.name)
    lines.append(f"sockspec-conformance '{target.spec}' --clause '{clause_id}'")
    lines.append(
        f"python -m pytest --pyargs {CHECKS_PACKAGE} --sockspec-target '{target.spec}' "
        f"-k '{function_name}'"
    )
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the reproducer to a failing conformance check's report."""
    report = yield
    if not _is_check_item(item):
        return report
    target = _item_target(item)
    if report.failed and target is not None and not hasattr(report, "wasxfail"):
        text = reproducer_for(item, target)
        report.sections.append(("sockspec reproducer", text))
        report.user_properties.append((PROP_REPRODUCER, text))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name xfail entries that matched no applicable check (they are not silently ignored)."""
    state = terminalreporter.config.stash.get(_STATE_KEY, None)
    # Under pytest-xdist the controller collects nothing itself; the workers know the matches.
    if state is None or not state.xfails or not state.checks_collected:
        return
    unmatched = state.unmatched_xfails()
    if unmatched:
        terminalreporter.section("sockspec: unmatched xfail entries")
        for entry in unmatched:
            terminalreporter.write_line(f"{entry.label} matched no applicable check")

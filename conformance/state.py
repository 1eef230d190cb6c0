"""The suite's session state and constants, shared by the plugin's hook modules and the collector.

Kept apart from the hook modules so that anything needing a constant or the
:class:`SuiteState` (the collector, the runner, the CLI, ``suite.py``) imports
this module and never the pytest hook module itself: that ends the old
``collector`` <-> ``plugin`` import cycle.  Nothing here imports the catalogue
until a session actually runs conformance checks.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import pytest

from .harness import KnownHangs
from .selection import is_selected
from .targets import Target, resolve_targets
from .xfails import XfailEntry

if TYPE_CHECKING:
    from sockspec.spec.catalogue import Catalogue, Clause, Edition

__all__ = [
    "ABANDONED_KEY",
    "CHECKS_PACKAGE",
    "CLOSE_HUNG_KEY",
    "DEFAULT_TARGET",
    "DEFAULT_TIMEOUT",
    "HANG_LIMIT",
    "HUNG_KEY",
    "HUNG_STEP_KEY",
    "LEAK_GRACE",
    "SAME_STEP_HANG_LIMIT",
    "CheckTimeout",
    "ResourceLeak",
    "SuiteState",
    "checks_directory",
    "clause_of",
    "is_check_item",
    "is_conformance_check",
    "item_target",
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
#: Consecutive hung checks after which a target's remaining checks are not run.
HANG_LIMIT = 3
#: Hung checks of one step (the same hang message, in any order) after which they are not
#: run either: hangs interleaved with passing checks would otherwise cost a full time limit
#: each, until the target's deadline.  The harness's own steps (stopping, closing a server)
#: hang once at most and are then known (``KnownHangs``): this is for the other places.
#: Five leaves room for one hanging clause with a few checks.
SAME_STEP_HANG_LIMIT = 5

#: user_properties keys the plugin attaches to conformance reports (the collector reads them).
PROP_CLAUSE = "sockspec.clause"
PROP_TARGET = "sockspec.target"
PROP_LEAK = "sockspec.leak"
PROP_LEAK_CLAUSE = "sockspec.leak_clause"
PROP_REPRODUCER = "sockspec.reproducer"
PROP_XFAIL = "sockspec.xfail"
PROP_BLOCKED_BY = "sockspec.blocked_by"
PROP_BLOCKED_REASON = "sockspec.blocked_reason"
PROP_NOT_RUN = "sockspec.not_run"
PROP_SUITE_ERROR = "sockspec.suite_error"
PROP_ABANDONED = "sockspec.abandoned"


def _no_marker(step: str) -> None:
    """Where no results file is written, a step's start is noted nowhere."""


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
    #: target spec -> names of the checks that hung in a row (reset by one that did not).
    hung_in_a_row: dict[str, list[str]] = field(default_factory=dict[str, list[str]])
    #: target spec -> hang step (see :func:`hang_step`) -> names of the checks hung at it.
    hung_by_step: dict[str, dict[str, list[str]]] = field(
        default_factory=dict[str, dict[str, list[str]]]
    )
    #: target spec -> why its remaining checks are not run ("target hangs: ...").
    stopped: dict[str, str] = field(default_factory=dict[str, str])
    #: target spec -> how its mix-in's process_request() hands requests off (probed once
    #: with the warm-up; absent or None: synchronous, as far as the suite can tell).
    handed_off: dict[str, Optional[str]] = field(default_factory=dict[str, Optional[str]])
    #: target spec -> the harness steps that already hung on it (waited for only a grace
    #: after that: the check is blocked by the step's clause, or its server abandoned).
    known_hangs: dict[str, KnownHangs] = field(default_factory=dict[str, KnownHangs])
    #: target specs whose warm-up cycle already ran in this process.
    warmed_up: set[str] = field(default_factory=set[str])
    #: Notes that a step of the suite ("the warm-up"; "" once it ended) starts inside the
    #: running check's set-up: the collector writes it, so a crash there is told apart.
    step_started: Callable[[str], None] = _no_marker

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

    def known_hangs_of(self, target: Target) -> KnownHangs:
        """The steps known to hang on ``target`` (shared by every harness of its checks)."""
        return self.known_hangs.setdefault(target.spec, KnownHangs())

    def hangs(self, target: Target) -> Optional[str]:
        """``target hangs: <checks>`` once ``target`` was stopped for hanging, else None."""
        return self.stopped.get(target.spec)

    def note_check(
        self, target: Target, name: str, hung: bool, step: str = "", in_streak: bool = True
    ) -> None:
        """Count a check (or the warm-up) that ran ``target``: a hang extends the streak and
        the count of its step; HANG_LIMIT in a row, or SAME_STEP_HANG_LIMIT of one step,
        stop the target.  A hang with ``in_streak`` false (the harness's ``server_close()``
        after a check that passed) counts for its step only, and ends the streak: the check
        itself did not hang."""
        spec = target.spec
        if spec in self.stopped:
            return
        if not hung or not in_streak:
            self.hung_in_a_row.pop(spec, None)
        if not hung:
            return
        streak = self.hung_in_a_row.setdefault(spec, []) if in_streak else []
        streak.append(name)
        same = self.hung_by_step.setdefault(spec, {}).setdefault(hang_step(step), [])
        same.append(name)
        if len(streak) >= HANG_LIMIT:
            self.stopped[spec] = f"target hangs: {', '.join(streak)}"
        elif len(same) >= SAME_STEP_HANG_LIMIT:
            self.stopped[spec] = (
                f"target hangs: {', '.join(same)} (each: {hang_step(step) or 'hung'})"
            )


def hang_step(message: str) -> str:
    """What a hang message says hung, without the details that differ between checks.

    Its first line up to ``;``: ``expected shutdown() to return within 5 s``, ``tearing
    down the check did not finish within 10 s (the target hung?)``.
    """
    lines = message.strip().splitlines()
    return lines[0].split(";", 1)[0].strip() if lines else ""


STATE_KEY = pytest.StashKey[SuiteState]()
#: Whether a check's harness ran the target's request loop (set by the ``harness`` fixture).
SERVED_KEY = pytest.StashKey[Callable[[], bool]]()
#: Whether the check (any phase, or its harness closing a server) hung.
HUNG_KEY = pytest.StashKey[bool]()
#: The message of the check's first hang (its step, for the same-step count).
HUNG_STEP_KEY = pytest.StashKey[str]()
#: Whether only the harness's closing of a server hung (the check itself did not).
CLOSE_HUNG_KEY = pytest.StashKey[bool]()
#: Why the check's harness abandoned a server that did not stop or close in time (its
#: threads and descriptors are then not charged to the check as leaks).
ABANDONED_KEY = pytest.StashKey[str]()


def suite_state(config: pytest.Config) -> SuiteState:
    """The session's :class:`SuiteState` (built by the plugin at configure time)."""
    return config.stash[STATE_KEY]


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
    """Where the installed checks package lives (None when it cannot be found)."""
    spec = importlib.util.find_spec(CHECKS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def is_check_item(item: pytest.Item) -> bool:
    """True for a collected conformance check (the plugin leaves every other test alone)."""
    return isinstance(item, pytest.Function) and is_conformance_check(
        getattr(item, "function", None)
    )


def clause_marks(item: pytest.Item) -> list[pytest.Mark]:
    """The ``clause`` markers on ``item`` (a valid check has exactly one)."""
    return list(item.iter_markers("clause"))


def mark_clause_id(mark: pytest.Mark) -> object:
    """The clause ID a ``clause`` marker names (positionally or as ``id=``)."""
    if mark.args:
        return mark.args[0]
    return mark.kwargs.get("id")


def clause_of(item: pytest.Item) -> Optional[str]:
    """The clause ID a conformance item verifies, if it names exactly one known clause."""
    marks = clause_marks(item)
    if len(marks) != 1:
        return None
    clause_id = mark_clause_id(marks[0])
    return clause_id if isinstance(clause_id, str) else None


def item_target(item: pytest.Item) -> Optional[Target]:
    """The target a parametrized check runs against (None before parametrization)."""
    callspec = getattr(item, "callspec", None)
    params: dict[str, object] = getattr(callspec, "params", {})
    found = params.get("target")
    return found if isinstance(found, Target) else None

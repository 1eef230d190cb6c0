"""The typed contracts between the pytest process, the report and everything that reads it.

One place for three things that used to be spelled out as strings in several modules:

- :data:`Outcome`, every verdict a clause (or a check) can have in a report;
- the records the collector writes as JSON lines while a target's checks run
  (:class:`SessionRecord`, :class:`ItemRecord`, :class:`ReportRecord`,
  :class:`EndRecord`, :class:`ProblemRecord`, :class:`CollectErrorRecord`), read back by
  the runner and folded by :mod:`sockspec.conformance.report`;
- the report document (:class:`ReportDocument` with its :class:`TargetReport`,
  :class:`ClauseRow` and tallies) and its format version :data:`REPORT_FORMAT`, which the
  text/JUnit renderers, ``compare``, the docs extension and the benchmarks read.

``report_schema.json`` describes the same document for readers outside Python; the tests
check that the two agree.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from typing_extensions import NotRequired, TypedDict, get_args

__all__ = [
    "COUNTED_OUTCOMES",
    "OUTCOMES",
    "REPORT_FORMAT",
    "SEVERITY",
    "ClauseRow",
    "CollectErrorRecord",
    "DocumentSummary",
    "EndRecord",
    "ItemRecord",
    "Outcome",
    "PhaseOutcome",
    "ProblemRecord",
    "Record",
    "ReportDocument",
    "ReportRecord",
    "SessionRecord",
    "StartRecord",
    "Summary",
    "Tally",
    "TargetInfo",
    "TargetReport",
    "TargetStatus",
    "XfailRow",
]

#: The report document's format; bump it when a reader of the previous one would misread it.
#: 2: outcomes ``blocked`` and ``not-run``, a target's ``status`` and ``hint``, a clause's
#: ``blocked_by``, the document's ``interrupted`` and ``implementation``.
REPORT_FORMAT = "sockspec-conformance/2"

#: The verdict of one clause (or one check) against one target, from most to least serious:
#: where verdicts are folded (the checks of a clause, a clause over several classes or
#: Pythons), the most serious one wins.
#:
#: ``blocked``: the check's precondition, promised by another clause, does not hold (that
#: clause carries the failure); ``not-run``: the check never ran, because the target hangs,
#: could not be constructed, or the run was interrupted.  Both outrank ``passed``: the
#: clause was not fully verified.
Outcome = Literal[
    "error",
    "failed",
    "xpassed",
    "xfailed",
    "blocked",
    "not-run",
    "passed",
    "skipped",
    "untested",
    "not-applicable",
]
#: Every outcome, from most to least serious.
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
#: Outcome -> rank, higher is more serious.
SEVERITY: dict[Outcome, int] = {o: len(OUTCOMES) - i for i, o in enumerate(OUTCOMES)}
#: The outcomes of applicable clauses, each counted in a :class:`Tally`.
COUNTED_OUTCOMES: tuple[Outcome, ...] = tuple(o for o in OUTCOMES if o != "not-applicable")

#: What pytest says about one phase of one check.
PhaseOutcome = Literal["passed", "failed", "skipped"]

#: How a target's run ended: ``completed``; ``ended-early`` (crash, deadline, --maxfail);
#: ``problem`` (the target could not be loaded or constructed: nothing about it was
#: verified); ``interrupted`` (SIGTERM/SIGINT to the command before it finished);
#: ``not-started`` (--maxfail or an interruption came first).
TargetStatus = Literal["completed", "ended-early", "problem", "interrupted", "not-started"]


# ---- records the collector writes, one JSON object per line ----------------------------


class TargetInfo(TypedDict):
    """A resolved target as the session record lists it."""

    target: str
    kind: Literal["server", "handler"]
    traits: list[str]


class SessionRecord(TypedDict):
    """First record of a run: the edition and interpreter the checks run under."""

    type: Literal["session"]
    edition: str
    python: str
    platform: str
    targets: list[TargetInfo]


class ItemRecord(TypedDict):
    """One collected check, before it runs."""

    type: Literal["item"]
    nodeid: str
    clause: str
    target: Optional[str]
    doc: str


class StartRecord(TypedDict):
    """A check (or a step the suite takes in its set-up) is about to run.

    Written before anything of it runs, so that when the process dies the last one
    names what was running (a crash writes no report).
    """

    type: Literal["start"]
    nodeid: str
    #: A step of the suite inside the check's set-up ("the warm-up"), or "" for the
    #: check itself (written again once that step has ended).
    step: str


class ReportRecord(TypedDict):
    """One phase (setup, call, teardown) of one check."""

    type: Literal["report"]
    nodeid: str
    when: Literal["setup", "call", "teardown"]
    outcome: PhaseOutcome
    #: The xfail reason when the check was expected to fail, else None.
    wasxfail: Optional[str]
    message: str
    seconds: float
    clause: Optional[str]
    target: Optional[str]
    leak: Optional[str]
    leak_clause: Optional[str]
    reproducer: Optional[str]
    #: The clause whose precondition did not hold (``sockspec.blocked_by``).
    blocked_by: NotRequired[Optional[str]]
    blocked_reason: NotRequired[Optional[str]]
    #: Why the check was not run (``sockspec.not_run``: "target hangs: ...").
    not_run: NotRequired[Optional[str]]
    #: A server the harness abandoned, stuck in a step known to hang (``sockspec.abandoned``):
    #: what it still held was not judged as the check's leak.
    abandoned: NotRequired[Optional[str]]


class XfailRow(TypedDict):
    """One line of an xfail file."""

    line: int
    target: str
    clause: str
    reason: str


class EndRecord(TypedDict):
    """Last record of a run: pytest's exit status and the xfail entries nothing matched."""

    type: Literal["end"]
    exitstatus: int
    xfail_unmatched: list[XfailRow]


class ProblemRecord(TypedDict):
    """A target that cannot be loaded or constructed: nothing about it can be verified.

    ``message`` names what is wrong ("BaseWSGIServer() needs an argument the suite cannot
    supply: app"), ``hint`` what to do about it (an adapter, with a pointer to its docs).
    """

    type: Literal["problem"]
    target: str
    message: str
    hint: str


class CollectErrorRecord(TypedDict):
    """A check module that could not even be collected."""

    type: Literal["collect_error"]
    nodeid: str
    message: str


#: Any record of the results file; the ``type`` field tells which.
Record = Union[
    SessionRecord,
    ItemRecord,
    StartRecord,
    ReportRecord,
    EndRecord,
    ProblemRecord,
    CollectErrorRecord,
]


# ---- the report document (report_schema.json) ------------------------------------------


class ClauseRow(TypedDict):
    """The verdict of one clause against one target."""

    id: str
    section: str
    text: str
    outcome: Outcome
    message: str
    #: Lines to paste to rerun the failing check; empty unless failed or error.
    reproducer: str
    seconds: float
    checks: list[str]
    #: For a blocked clause, the clause whose failure blocks it; else "".
    blocked_by: str


# "not-run" is not an identifier, hence the functional form.
Tally = TypedDict(
    "Tally",
    {
        "applicable": int,
        "passed": int,
        "failed": int,
        "error": int,
        "skipped": int,
        "xfailed": int,
        "xpassed": int,
        "blocked": int,
        "not-run": int,
        "untested": int,
        "pass_rate": Optional[float],
    },
)


class Summary(Tally):
    """A tally overall and per section."""

    by_section: dict[str, Tally]


class DocumentSummary(Summary):
    """The summary over every target of a report."""

    targets: int


class TargetReport(TypedDict):
    """Every selected clause's verdict for one target."""

    target: str
    kind: Literal["server", "handler"]
    traits: list[str]
    seconds: float
    status: TargetStatus
    #: Why the run ended early or could not start; "" when it completed.
    problem: str
    #: What the user can do about ``problem`` (e.g. how to write an adapter); often "".
    hint: str
    clauses: list[ClauseRow]
    summary: Summary


class ReportDocument(TypedDict):
    """The whole report, as ``--json`` writes it."""

    format: str
    sockspec_version: str
    python: str
    #: ``platform.python_implementation()`` of that Python: CPython, PyPy...
    implementation: str
    platform: str
    edition: str
    clause_filter: list[str]
    #: "" for a complete run, else what stopped it ("interrupted by SIGTERM").
    interrupted: str
    targets: list[TargetReport]
    xfail_unmatched: list[XfailRow]
    summary: DocumentSummary

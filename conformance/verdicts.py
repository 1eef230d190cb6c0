"""From the records of one target's run to one outcome per check, and per clause.

A check (one pytest node) reports up to three phases; :func:`check_results` folds
them into one :class:`CheckResult`, and explains the checks that never reported
(the run was interrupted, ended early, or stopped at ``--maxfail``).
:func:`clause_outcome` then gives a clause the most serious outcome of its checks.
:func:`running_when_ended` says which check (or step of the suite in its set-up) was
running when the records stop: the one a crash of the process interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from .records import SEVERITY, Outcome, Record, ReportRecord, StartRecord, TargetStatus
from .targets import Target

__all__ = [
    "CheckResult",
    "TargetRun",
    "check_results",
    "clause_outcome",
    "running_when_ended",
    "target_problem",
]


@dataclass
class TargetRun:
    """The records of one target's pytest run, and how the run ended."""

    target: Target
    records: list[Record]
    returncode: Optional[int]
    seconds: float
    #: Why the run ended early (crash, deadline, --maxfail, interruption), or "".
    problem: str = ""
    status: TargetStatus = "completed"
    #: True when the run was killed at its deadline (the check in progress was not judged).
    deadline_hit: bool = False


@dataclass
class CheckResult:
    """One check (one pytest node) against one target, all phases folded."""

    nodeid: str
    clause: str
    outcome: Outcome = "untested"
    message: str = ""
    reproducer: str = ""
    seconds: float = 0.0
    leak: str = ""
    leak_clause: str = ""
    #: For a blocked check, the clause whose precondition did not hold.
    blocked_by: str = ""
    #: True once a phase of the check reported (a check that started may have hung).
    started: bool = False
    finished: bool = False


def _fold(result: CheckResult, report: ReportRecord) -> None:
    """Apply one phase report to a check's result."""
    when = report.get("when")
    outcome = report.get("outcome")
    message = report.get("message") or ""
    result.started = True
    result.finished = result.finished or when == "teardown"
    result.seconds += report.get("seconds") or 0.0
    wasxfail = report.get("wasxfail")
    if wasxfail is not None:
        result.outcome = "xfailed" if outcome == "skipped" else "xpassed"
        result.message = wasxfail or message
        return
    leak = report.get("leak")
    if when == "teardown" and outcome == "failed" and leak:
        result.leak = leak
        result.leak_clause = report.get("leak_clause") or ""
        return
    blocked_by, not_run = report.get("blocked_by"), report.get("not_run")
    if outcome == "skipped" and blocked_by:
        result.outcome, result.blocked_by = "blocked", blocked_by
        reason = report.get("blocked_reason") or message
        result.message = f"blocked by {blocked_by}: {reason}"
    elif outcome == "skipped" and not_run:
        result.outcome, result.message = "not-run", not_run
    elif outcome == "skipped":
        # Whether a clause applies is the catalogue's to say (report.inapplicable_reason),
        # so a check that skips itself is a skip, whatever its message.
        result.outcome, result.message = "skipped", message
    elif outcome == "failed":
        result.outcome = "failed" if when == "call" else "error"
        result.message = message
        result.reproducer = report.get("reproducer") or ""
    elif when == "call" and result.outcome == "untested":
        result.outcome = "passed"


def _last_start(records: Sequence[Record]) -> Optional[StartRecord]:
    """The last start record, unless its check then reported its teardown (it ended)."""
    last: Optional[StartRecord] = None
    for record in records:
        if record["type"] == "start":
            last = record
        elif (
            record["type"] == "report"
            and last is not None
            and record["nodeid"] == last["nodeid"]
            and record["when"] == "teardown"
        ):
            last = None
    return last


def running_when_ended(records: Sequence[Record]) -> str:
    """``while CHECK ran (clause C)``: what was running where the records stop, or "".

    CHECK is the test function with its parameters (the node ID after ``::``); a step of
    the suite inside its set-up (the warm-up) is named as that step, the check after it.
    """
    start = _last_start(records)
    if start is None:
        return ""
    nodeid = start["nodeid"]
    clause = next(
        (r["clause"] for r in records if r["type"] == "item" and r["nodeid"] == nodeid), ""
    )
    name = nodeid.rpartition("::")[2] or nodeid
    if start.get("step"):
        return f"while {start['step']} ran, in the set-up of {name} (clause {clause})"
    return f"while {name} ran (clause {clause})"


def _unrun(result: CheckResult, run: TargetRun, in_step: bool = False) -> None:
    """Explain a check that never reached a verdict (``in_step``: a crash was in a step of
    the suite inside its set-up, not in the check)."""
    if run.status == "interrupted":
        result.outcome, result.message = "not-run", run.problem or "the run was interrupted"
    elif run.deadline_hit and result.started:
        # Killed at the target's deadline while it ran: the check was never judged, and the
        # time went to the checks before it as much as to this one.
        result.outcome = "not-run"
        result.message = f"not run to its end: {run.problem} while this check ran"
    elif run.problem and result.started and not result.finished and "maxfail" not in run.problem:
        # The check in progress when the process crashed: the run's end is its, unless the
        # crash came in a step of the suite before the check itself began.
        result.outcome = "not-run" if in_step else "error"
        result.message = f"not run: {run.problem}" if in_step else run.problem
    else:
        result.outcome = "not-run"
        problem = run.problem or "not run"
        result.message = problem if problem.startswith("not run") else f"not run: {problem}"


def target_problem(run: TargetRun) -> Optional[tuple[str, str]]:
    """(message, hint) when the target could not be loaded or constructed, else None."""
    for record in run.records:
        if record.get("type") == "problem":
            return str(record.get("message") or ""), str(record.get("hint") or "")
    return None


def check_results(run: TargetRun) -> list[CheckResult]:
    """Every collected check of a run with its folded outcome (unrun checks explained)."""
    results: dict[str, CheckResult] = {}
    for record in run.records:
        if record["type"] == "item":
            results[record["nodeid"]] = CheckResult(record["nodeid"], record.get("clause") or "")
        elif record["type"] == "start" and record["nodeid"] in results:
            results[record["nodeid"]].started = True  # it may die before its first report
        elif record["type"] == "report" and record.get("nodeid") in results:
            _fold(results[record["nodeid"]], record)
    last = _last_start(run.records)
    for result in results.values():
        if result.outcome == "untested":
            in_step = last is not None and last["nodeid"] == result.nodeid and bool(last["step"])
            _unrun(result, run, in_step)
    return list(results.values())


def clause_outcome(checks: Sequence[CheckResult]) -> CheckResult:
    """The verdict of one clause from its checks: the most serious outcome wins.

    A check that reported nothing (``untested``) does not count.
    """
    ranked = [check for check in checks if check.outcome != "untested"]
    if not ranked:
        return CheckResult("", "", "untested")
    return max(ranked, key=lambda check: SEVERITY[check.outcome])

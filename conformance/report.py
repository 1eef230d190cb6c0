"""The clause report: per-check results folded into one verdict per clause and target.

The input is what :mod:`sockspec.conformance.collector` wrote for each target
(the :data:`~sockspec.conformance.records.Record` list of a
:class:`~sockspec.conformance.verdicts.TargetRun`); the output is the
:class:`~sockspec.conformance.records.ReportDocument` described by
``report_schema.json``, which the text report, the JUnit writer, the docs and the
matrix all read.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from typing import Optional

from sockspec.spec.catalogue import Catalogue, Clause

from .records import (
    COUNTED_OUTCOMES,
    REPORT_FORMAT,
    ClauseRow,
    Outcome,
    ReportDocument,
    Summary,
    Tally,
    TargetReport,
    XfailRow,
)
from .selection import matches_globs, select
from .targets import Target, missing_traits
from .verdicts import CheckResult, TargetRun, check_results, clause_outcome, target_problem
from .xfails import XfailEntry

__all__ = [
    "CheckResult",
    "TargetRun",
    "build_report",
    "check_results",
    "clause_outcome",
    "inapplicable_reason",
    "summarize",
    "unmatched_xfails",
]


def inapplicable_reason(clause: Clause, target: Target) -> Optional[str]:
    """Why ``clause`` does not apply to ``target`` ("needs datagram"), or None when it does.

    The catalogue decides (``applies_to``, ``excludes``); a handler target is judged with
    the traits of the server the suite runs it under (:func:`.targets.missing_traits`).
    """
    missing = missing_traits(clause.applies_to, target)
    if missing:
        return "needs " + ", ".join(missing)
    return clause.inapplicable_reason(target.traits | clause.applies_to)


def _tally(outcomes: Iterable[Outcome]) -> Tally:
    counts = dict.fromkeys(COUNTED_OUTCOMES, 0)
    for outcome in outcomes:
        if outcome in counts:
            counts[outcome] += 1
    applicable = sum(counts.values())
    return {
        "applicable": applicable,
        "passed": counts["passed"],
        "failed": counts["failed"],
        "error": counts["error"],
        "skipped": counts["skipped"],
        "xfailed": counts["xfailed"],
        "xpassed": counts["xpassed"],
        "blocked": counts["blocked"],
        "not-run": counts["not-run"],
        "untested": counts["untested"],
        "pass_rate": round(counts["passed"] / applicable, 4) if applicable else None,
    }


def summarize(rows: Iterable[ClauseRow]) -> Summary:
    """Counts of applicable clauses by outcome, with the pass rate, overall and per section."""
    every: list[Outcome] = []
    sections: dict[str, list[Outcome]] = {}
    for row in rows:
        if row["outcome"] == "not-applicable":
            continue
        every.append(row["outcome"])
        sections.setdefault(row["section"], []).append(row["outcome"])
    return {
        **_tally(every),
        "by_section": {name: _tally(outcomes) for name, outcomes in sorted(sections.items())},
    }


def _leaks_by_clause(
    run: TargetRun, checks: Sequence[CheckResult], clauses: Sequence[Clause]
) -> dict[str, list[CheckResult]]:
    """Clause ID -> the checks whose leak that clause is charged with."""
    known = {clause.id: clause for clause in clauses}
    leaks: dict[str, list[CheckResult]] = {}
    for check in checks:
        if not check.leak:
            continue
        # A leak no resources clause of this target covers (say, a thread left by a server
        # without a threading mix-in) fails the check's own clause instead of vanishing with
        # a not-applicable resources clause.
        home = known.get(check.leak_clause)
        covered = home is not None and inapplicable_reason(home, run.target) is None
        leaks.setdefault(check.leak_clause if covered else check.clause, []).append(check)
    return leaks


def _row(
    run: TargetRun,
    clause: Clause,
    own: Sequence[CheckResult],
    leaked: Sequence[CheckResult],
    problem: str,
) -> ClauseRow:
    verdict = clause_outcome(own)
    if leaked and verdict.outcome not in ("error", "failed"):
        first = leaked[0]
        verdict = CheckResult(
            first.nodeid,
            clause.id,
            "failed",
            f"{first.nodeid} left {first.leak}",
            f"sockspec-conformance '{run.target.spec}' --clause '{first.clause}'",
        )
    inapplicable = inapplicable_reason(clause, run.target)
    outcome: Outcome
    if inapplicable is not None:
        outcome, message = "not-applicable", inapplicable
    elif problem:
        outcome, message = "not-run", f"not run: {problem}"
    elif verdict.outcome == "untested":
        outcome, message = "untested", "no check verifies this clause yet"
    else:
        outcome, message = verdict.outcome, verdict.message
    return {
        "id": clause.id,
        "section": clause.section,
        "text": clause.text,
        "outcome": outcome,
        "message": message,
        "reproducer": verdict.reproducer if outcome in ("failed", "error") else "",
        "seconds": round(sum(check.seconds for check in own), 6),
        "checks": [check.nodeid for check in own] + [c.nodeid for c in leaked],
        "blocked_by": verdict.blocked_by if outcome == "blocked" else "",
    }


def _target_report(run: TargetRun, clauses: Sequence[Clause], globs: Sequence[str]) -> TargetReport:
    checks = check_results(run)
    by_clause: dict[str, list[CheckResult]] = {}
    for check in checks:
        by_clause.setdefault(check.clause, []).append(check)
    leaks = _leaks_by_clause(run, checks, clauses)
    found = target_problem(run)
    problem, hint = found if found is not None else (run.problem, "")
    if found is not None:
        unusable = problem  # nothing about a target that cannot be built was verified
    elif run.status != "completed" and not any(r["type"] == "item" for r in run.records):
        # Stopped before its checks were even collected: which clauses have checks is unknown.
        unusable = problem.removeprefix("not run: ") or "the run stopped"
    else:
        unusable = ""
    rows = [
        _row(run, clause, by_clause.get(clause.id, []), leaks.get(clause.id, []), unusable)
        for clause in clauses
        if matches_globs(clause.id, globs)
    ]
    return {
        "target": run.target.spec,
        "kind": run.target.kind,
        "traits": sorted(run.target.traits),
        "seconds": round(run.seconds, 3),
        "status": "problem" if found is not None else run.status,
        "problem": problem,
        "hint": hint,
        "clauses": rows,
        "summary": summarize(rows),
    }


def unmatched_xfails(
    runs: Sequence[TargetRun], entries: Sequence[XfailEntry], clauses: Sequence[Clause]
) -> list[XfailEntry]:
    """Xfail entries that cover no check of an applicable clause of any target."""
    known = {clause.id: clause for clause in clauses}
    pairs = {
        (run.target.spec, record["clause"])
        for run in runs
        for record in run.records
        if record["type"] == "item"
        and record["clause"] in known
        and inapplicable_reason(known[record["clause"]], run.target) is None
    }
    return [entry for entry in entries if not any(entry.matches(spec, cid) for spec, cid in pairs)]


def _xfail_row(entry: XfailEntry) -> XfailRow:
    return {
        "line": entry.line,
        "target": entry.target_glob,
        "clause": entry.clause_glob,
        "reason": entry.reason,
    }


def build_report(
    runs: Sequence[TargetRun],
    catalogue: Catalogue,
    edition: str,
    version: tuple[int, int],
    *,
    clause_globs: Sequence[str] = (),
    xfails: Sequence[XfailEntry] = (),
    sockspec_version: str = "unknown",
    interrupted: str = "",
) -> ReportDocument:
    """The whole report document (see ``report_schema.json``)."""
    clauses = select(catalogue.clauses, edition, version)
    targets = [_target_report(run, clauses, clause_globs) for run in runs]
    python = platform.python_version()
    for run in runs:
        for record in run.records:
            if record["type"] == "session" and record.get("python"):
                python = record["python"]
    summary = summarize(row for target in targets for row in target["clauses"])
    return {
        "format": REPORT_FORMAT,
        "sockspec_version": sockspec_version,
        "python": python,
        # The checks ran in subprocesses of this same interpreter (runner: sys.executable).
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "edition": edition,
        "clause_filter": list(clause_globs),
        "interrupted": interrupted,
        "targets": targets,
        "xfail_unmatched": [_xfail_row(entry) for entry in unmatched_xfails(runs, xfails, clauses)],
        "summary": {"targets": len(targets), **summary},
    }

"""The clause report: per-check results folded into one verdict per clause and target.

The input is what :mod:`sockspec.conformance.collector` wrote for each target
(a list of decoded JSON-lines records); the output is the JSON document
described by ``report_schema.json`` (format
:data:`~sockspec.conformance.records.REPORT_FORMAT`), which the text report, the
JUnit writer, the docs and the matrix all read.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Optional, cast

from sockspec.spec.catalogue import Catalogue, Clause

from .records import REPORT_FORMAT
from .selection import select
from .targets import Target, missing_traits
from .xfails import XfailEntry

__all__ = [
    "FORMAT",
    "OUTCOMES",
    "CheckResult",
    "TargetRun",
    "build_report",
    "check_results",
    "clause_outcome",
    "summarize",
    "unmatched_xfails",
]

FORMAT = REPORT_FORMAT
#: Every clause outcome a report can contain.
OUTCOMES = (
    "passed",
    "failed",
    "error",
    "skipped",
    "xfailed",
    "xpassed",
    "not-applicable",
    "untested",
)
# When a clause has several checks, the most serious outcome is the clause's.
# A check skipped as not applicable counts as a skip: whether the clause applies is decided
# from the target's traits, not from its checks.
_SEVERITY = {
    "error": 6,
    "failed": 5,
    "xpassed": 4,
    "xfailed": 3,
    "passed": 2,
    "skipped": 1,
    "not-applicable": 1,
}
_COUNTED = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "untested")

Record = Mapping[str, object]


@dataclass
class TargetRun:
    """The records of one target's pytest run, and how the run ended."""

    target: Target
    records: list[Record]
    returncode: Optional[int]
    seconds: float
    #: Why the run ended early (crash, deadline, --maxfail), or "" when it completed.
    problem: str = ""


@dataclass
class CheckResult:
    """One check (one pytest node) against one target, all phases folded."""

    nodeid: str
    clause: str
    outcome: str = "untested"
    message: str = ""
    reproducer: str = ""
    seconds: float = 0.0
    leak: str = ""
    leak_clause: str = ""


def _text(record: Record, key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _number(record: Record, key: str) -> float:
    value = record.get(key)
    return float(value) if isinstance(value, (int, float)) else 0.0


def _fold(result: CheckResult, report: Record) -> None:
    """Apply one phase report to a check's result."""
    when = _text(report, "when")
    outcome = _text(report, "outcome")
    message = _text(report, "message")
    result.seconds += _number(report, "seconds")
    if report.get("wasxfail") is not None:
        result.outcome = "xfailed" if outcome == "skipped" else "xpassed"
        result.message = _text(report, "wasxfail") or message
        return
    if when == "teardown" and outcome == "failed" and _text(report, "leak"):
        result.leak = _text(report, "leak")
        result.leak_clause = _text(report, "leak_clause")
        return
    if outcome == "skipped":
        result.outcome = "not-applicable" if message.startswith("not applicable") else "skipped"
        result.message = message
    elif outcome == "failed":
        result.outcome = "failed" if when == "call" else "error"
        result.message = message
        result.reproducer = _text(report, "reproducer")
    elif when == "call" and result.outcome == "untested":
        result.outcome = "passed"


def check_results(run: TargetRun) -> list[CheckResult]:
    """Every collected check of a run with its folded outcome (unrun checks explained)."""
    results: dict[str, CheckResult] = {}
    for record in run.records:
        kind = record.get("type")
        nodeid = _text(record, "nodeid")
        if kind == "item":
            results[nodeid] = CheckResult(nodeid, _text(record, "clause"))
        elif kind == "report" and nodeid in results:
            _fold(results[nodeid], record)
    for result in results.values():
        if result.outcome == "untested":
            result.outcome = "error" if run.problem and "maxfail" not in run.problem else "skipped"
            result.message = run.problem or "not run"
    return list(results.values())


def clause_outcome(checks: Sequence[CheckResult]) -> CheckResult:
    """The verdict of one clause from its checks: the most serious outcome wins."""
    ranked = [check for check in checks if check.outcome in _SEVERITY]
    if not ranked:
        return CheckResult("", "", "untested")
    return max(ranked, key=lambda check: _SEVERITY[check.outcome])


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED, 0))

    def add(self, outcome: str) -> None:
        if outcome in self.counts:
            self.counts[outcome] += 1

    def as_dict(self) -> dict[str, object]:
        applicable = sum(self.counts.values())
        rate = round(self.counts["passed"] / applicable, 4) if applicable else None
        return {"applicable": applicable, **self.counts, "pass_rate": rate}


def summarize(clauses: Iterable[Mapping[str, object]]) -> dict[str, object]:
    """Counts of applicable clauses by outcome, with the pass rate, overall and per section."""
    total = _Tally()
    sections: dict[str, _Tally] = {}
    for clause in clauses:
        outcome = str(clause.get("outcome"))
        if outcome == "not-applicable":
            continue
        total.add(outcome)
        sections.setdefault(str(clause.get("section")), _Tally()).add(outcome)
    return {
        **total.as_dict(),
        "by_section": {name: tally.as_dict() for name, tally in sorted(sections.items())},
    }


def _selected(clause: Clause, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatchcase(clause.id, glob) for glob in globs)


def _target_report(
    run: TargetRun, clauses: Sequence[Clause], globs: Sequence[str]
) -> dict[str, object]:
    checks = check_results(run)
    known = {clause.id: clause for clause in clauses}
    by_clause: dict[str, list[CheckResult]] = {}
    leaks: dict[str, list[CheckResult]] = {}
    for check in checks:
        by_clause.setdefault(check.clause, []).append(check)
        if check.leak:
            # A leak no resources clause of this target covers (say, a thread left by a
            # server without a threading mix-in) fails the check's own clause instead of
            # vanishing with a not-applicable resources clause.
            home = known.get(check.leak_clause)
            covered = home is not None and not missing_traits(home.applies_to, run.target)
            leaks.setdefault(check.leak_clause if covered else check.clause, []).append(check)
    rows: list[dict[str, object]] = []
    for clause in clauses:
        if not _selected(clause, globs):
            continue
        own = by_clause.get(clause.id, [])
        verdict = clause_outcome(own)
        leaked = leaks.get(clause.id, [])
        if leaked and verdict.outcome not in ("error", "failed"):
            first = leaked[0]
            verdict = CheckResult(
                first.nodeid,
                clause.id,
                "failed",
                f"{first.nodeid} left {first.leak}",
                f"sockspec-conformance '{run.target.spec}' --clause '{first.clause}'",
            )
        missing = missing_traits(clause.applies_to, run.target)
        if missing:
            outcome, message = "not-applicable", f"needs {', '.join(missing)}"
        elif verdict.outcome == "untested":
            outcome, message = "untested", "no check verifies this clause yet"
        elif verdict.outcome == "not-applicable":
            # The target has the clause's traits, but its checks found nothing to verify.
            outcome, message = "skipped", verdict.message
        else:
            outcome, message = verdict.outcome, verdict.message
        rows.append(
            {
                "id": clause.id,
                "section": clause.section,
                "text": clause.text,
                "outcome": outcome,
                "message": message,
                "reproducer": verdict.reproducer if outcome in ("failed", "error") else "",
                "seconds": round(sum(check.seconds for check in own), 6),
                "checks": [check.nodeid for check in own] + [c.nodeid for c in leaked],
            }
        )
    return {
        "target": run.target.spec,
        "kind": run.target.kind,
        "traits": sorted(run.target.traits),
        "seconds": round(run.seconds, 3),
        "problem": run.problem,
        "clauses": rows,
        "summary": summarize(rows),
    }


def unmatched_xfails(runs: Sequence[TargetRun], entries: Sequence[XfailEntry]) -> list[XfailEntry]:
    """Xfail entries that cover no applicable check of any target."""
    pairs = {
        (run.target.spec, _text(record, "clause"))
        for run in runs
        for record in run.records
        if record.get("type") == "report"
        and record.get("when") == "setup"
        and not _text(record, "message").startswith("not applicable")
    }
    return [entry for entry in entries if not any(entry.matches(spec, cid) for spec, cid in pairs)]


def build_report(
    runs: Sequence[TargetRun],
    catalogue: Catalogue,
    edition: str,
    version: tuple[int, int],
    *,
    clause_globs: Sequence[str] = (),
    xfails: Sequence[XfailEntry] = (),
    sockspec_version: str = "unknown",
) -> dict[str, object]:
    """The whole report document (see ``report_schema.json``)."""
    clauses = select(catalogue.clauses, edition, version)
    targets = [_target_report(run, clauses, clause_globs) for run in runs]
    every_row = [row for target in targets for row in _rows(target)]
    python = platform.python_version()
    for run in runs:
        for record in run.records:
            if record.get("type") == "session" and isinstance(record.get("python"), str):
                python = str(record["python"])
    return {
        "format": FORMAT,
        "sockspec_version": sockspec_version,
        "python": python,
        "platform": platform.platform(),
        "edition": edition,
        "clause_filter": list(clause_globs),
        "targets": targets,
        "xfail_unmatched": [
            {
                "line": entry.line,
                "target": entry.target_glob,
                "clause": entry.clause_glob,
                "reason": entry.reason,
            }
            for entry in unmatched_xfails(runs, xfails)
        ],
        "summary": {"targets": len(targets), **summarize(every_row)},
    }


def _rows(target: Mapping[str, object]) -> list[Mapping[str, object]]:
    return cast("list[Mapping[str, object]]", target.get("clauses", []))

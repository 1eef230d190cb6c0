"""The ecosystem page: the suite's verdicts on pinned third-party servers, with triage.

Inputs, in the results folder ``make ecosystem`` writes (``tests/ecosystem/results/``,
committed like ``bench/results.json``): ``run.json`` (format ``sockspec-ecosystem/1``: per
package its version, targets, exit code, wall time and the name of its report) and each
package's clause report, the suite's own ``--json`` output.  The triage file
(``tests/ecosystem/triage.json``) gives the one-line explanation of each clause that does
not pass: a real deviation with the package's source location, a deviation inherited from
the standard library, or a suite defect.

The page is laid out like the per-implementation results tables of web-platform-tests and
Bowtie: one row per package, one column per catalogue section, the share of applicable
clauses that passed in each cell; then, per package, every clause that did not pass with its
triage, and the clauses that were blocked or not run with the reason the suite gave.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from sockspec.spec.catalogue import Catalogue

from . import jsondata
from .rst import escape, heading, list_table, literal, one_line, verdict

RUN_FORMAT = "sockspec-ecosystem/1"
NOT_RUN = (
    ".. note::\n\n"
    "   **The ecosystem run has no results** here: ``tests/ecosystem/results/run.json``\n"
    "   does not exist. Run ``make ecosystem``, then ``make docs``.\n"
)
#: Outcomes that need a triage line; blocked and not-run carry their own reason.
NOT_PASSING = ("failed", "error", "xpassed")
SET_APART = ("blocked", "not-run")
TRIAGE_BADGES = {
    "deviation": ("fail", "deviation"),
    "inherited": ("xfail", "inherited"),
    "suite-defect": ("error", "suite defect"),
}


@dataclass(frozen=True)
class Triage:
    """One entry of the triage file."""

    target: str
    clause: str
    kind: str
    where: str
    why: str


@dataclass
class Tally:
    """Clause outcomes counted for one package (and section)."""

    counts: dict[str, int] = field(default_factory=dict[str, int])

    def add(self, outcome: str) -> None:
        """Count one clause outcome."""
        self.counts[outcome] = self.counts.get(outcome, 0) + 1

    @property
    def applicable(self) -> int:
        """Every clause that applied to a target, whatever became of it."""
        return sum(n for outcome, n in self.counts.items() if outcome != "not-applicable")

    def cell(self) -> str:
        """``passed/applicable`` as a coloured badge, with blocked and not-run counts."""
        if not self.applicable:
            return verdict("none", "-")
        passed = self.counts.get("passed", 0)
        bad = sum(self.counts.get(outcome, 0) for outcome in NOT_PASSING)
        badge = verdict("fail" if bad else "pass", f"{passed}/{self.applicable}")
        extra = [f"{self.counts[o]} {o}" for o in SET_APART if self.counts.get(o)]
        return badge + (f" ({escape(', '.join(extra))})" if extra else "")


def read_triage(path: Path) -> list[Triage]:
    """The triage entries of ``path`` (a JSON array); none when it is missing."""
    if not path.is_file():
        return []
    return [
        Triage(*(jsondata.text(record.get(key)) for key in Triage.__dataclass_fields__))
        for record in map(jsondata.record, jsondata.items(jsondata.read(path)))
    ]


def _triage_for(entries: list[Triage], target: str, clause: str) -> Optional[Triage]:
    for entry in entries:
        if fnmatch.fnmatchcase(target, entry.target) and fnmatch.fnmatchcase(clause, entry.clause):
            return entry
    return None


def _clause_ref(clause_id: str, catalogue: Catalogue) -> str:
    return f":clause:`{clause_id}`" if clause_id in catalogue else literal(clause_id)


def _triage_cell(entry: Optional[Triage]) -> str:
    if entry is None:
        return verdict("error", "untriaged") + " no line of triage.json explains this failure yet"
    kind, label = TRIAGE_BADGES.get(entry.kind, ("none", entry.kind))
    return f"{verdict(kind, label)} {literal(entry.where)}: {escape(one_line(entry.why))}"


def _section_of(clause: dict[str, object]) -> str:
    return jsondata.text(clause.get("section"), "?")


def _targets(report: dict[str, object]) -> list[dict[str, object]]:
    return [jsondata.record(raw) for raw in jsondata.items(report.get("targets"))]


def _clauses(target: dict[str, object]) -> list[dict[str, object]]:
    return [jsondata.record(raw) for raw in jsondata.items(target.get("clauses"))]


def _overview(
    packages: list[tuple[dict[str, object], dict[str, object]]], sections: list[str]
) -> str:
    rows: list[list[str]] = []
    for run, report in packages:
        by_section = {section: Tally() for section in sections}
        total = Tally()
        for target in _targets(report):
            for clause in _clauses(target):
                outcome = jsondata.text(clause.get("outcome"))
                by_section.setdefault(_section_of(clause), Tally()).add(outcome)
                total.add(outcome)
        name = f"{jsondata.text(run.get('distribution'))} {jsondata.text(run.get('version'))}"
        seconds = f"{jsondata.number(run.get('seconds')):.0f} s"
        row = [escape(name), total.cell(), *(by_section[s].cell() for s in sections), seconds]
        rows.append(row)
    header = ("Package", "All sections", *(literal(s) for s in sections), "Wall time")
    return list_table(header, rows, classes=("sockspec-grid",))


def _package_rst(
    run: dict[str, object],
    report: dict[str, object],
    triage: list[Triage],
    catalogue: Catalogue,
) -> str:
    name = jsondata.text(run.get("distribution"), "?")
    parts = [heading(f"{name} {jsondata.text(run.get('version'))}", "-")]
    target_rows: list[list[str]] = []
    problems: list[list[str]] = []
    apart: list[list[str]] = []
    for target in _targets(report):
        label = jsondata.text(target.get("target"), "?")
        tally = Tally()
        for clause in _clauses(target):
            outcome = jsondata.text(clause.get("outcome"))
            tally.add(outcome)
            clause_id = jsondata.text(clause.get("id"), "?")
            message = one_line(jsondata.text(clause.get("message")))
            if outcome in NOT_PASSING:
                problems.append(
                    [
                        literal(label),
                        _clause_ref(clause_id, catalogue),
                        _triage_cell(_triage_for(triage, label, clause_id)),
                    ]
                )
            elif outcome in SET_APART:
                apart.append(
                    [
                        literal(label),
                        _clause_ref(clause_id, catalogue),
                        escape(outcome),
                        escape(message[:200]),
                    ]
                )
        problem = jsondata.text(target.get("problem"))
        if problem:
            problems.append(
                [literal(label), "(whole target)", _triage_cell(_triage_for(triage, label, "*"))]
            )
        counts = [str(tally.counts.get(o, 0)) for o in ("passed", *NOT_PASSING, *SET_APART)]
        seconds = f"{jsondata.number(target.get('seconds')):.1f} s"
        target_rows.append([literal(label), str(tally.applicable), *counts, seconds])
    header = (
        "Target",
        "Applicable",
        "Passed",
        "Failed",
        "Error",
        "XPass",
        "Blocked",
        "Not run",
        "Time",
    )
    parts.append(list_table(header, target_rows, classes=("sockspec-summary",)))
    if problems:
        parts.append("Clauses that do not pass, each with its triage:\n")
        parts.append(list_table(("Target", "Clause", "Triage"), problems, widths=(25, 25, 50)))
    else:
        parts.append("Every applicable clause that was checked passed.\n")
    if apart:
        parts.append("Clauses blocked by another clause, or not run, with the suite's reason:\n")
        parts.append(list_table(("Target", "Clause", "Outcome", "Reason"), apart))
    return "\n".join(parts)


def ecosystem_rst(results: Path, triage_file: Path, catalogue: Catalogue) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    run_file = results / "run.json"
    if not run_file.is_file():
        return NOT_RUN, [run_file, triage_file]
    document = jsondata.record(jsondata.read(run_file))
    read = [run_file, triage_file]
    packages: list[tuple[dict[str, object], dict[str, object]]] = []
    for run in map(jsondata.record, jsondata.items(document.get("packages"))):
        report_file = results / jsondata.text(run.get("report"), "-")
        report: dict[str, object] = {}
        if jsondata.text(run.get("report")) and report_file.is_file():
            report = jsondata.record(jsondata.read(report_file))
            read.append(report_file)
        packages.append((run, report))
    sections = list(
        dict.fromkeys(
            _section_of(clause)
            for _, report in packages
            for target in _targets(report)
            for clause in _clauses(target)
            if jsondata.text(clause.get("outcome")) != "not-applicable"
        )
    )
    facts = [
        f"* Run finished: {escape(jsondata.text(document.get('finished'), '?'))}, "
        f"Python {escape(jsondata.text(document.get('python'), '?'))}, "
        f"sockspec {escape(jsondata.text(document.get('sockspec_version'), '?'))}",
        f"* Total wall time of the suite runs: "
        f"{sum(jsondata.number(run.get('seconds')) for run, _ in packages):.0f} s "
        f"({jsondata.number(document.get('jobs')):.0f} target(s) at a time)",
    ]
    triage = read_triage(triage_file)
    parts = ["\n".join(facts) + "\n", heading("Pass rate by package and section", "-")]
    parts.append(_overview(packages, sections))
    for run, report in packages:
        if not report:
            why = one_line(jsondata.text(run.get("stderr_tail"), "no report was written"))
            parts.append(heading(jsondata.text(run.get("distribution"), "?"), "-"))
            parts.append(f"**No report**: {escape(why)}\n")
            continue
        parts.append(_package_rst(run, report, triage, catalogue))
    return "\n".join(parts), read

"""The conformance matrix page, generated from what ``make matrix`` wrote.

Inputs, all optional: ``matrix.json`` (one entry per interpreter: its version
and the outcome of each step) and ``conformance-*.json`` (one clause report per
interpreter, format ``sockspec-conformance/1``, see
``conformance/report_schema.json``).  An *implementation* is the module part of
a report's targets (``socketserver``, ``sockspec.impl``...); its classes are
folded into one cell per clause and Python version, the most serious outcome
winning, with how many of its applicable classes had that outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sockspec.spec.catalogue import Catalogue, Clause

from . import jsondata
from .rst import escape, heading, list_table, literal, prose, verdict

NOT_RUN = (
    ".. note::\n\n"
    "   **The matrix has not been run** on the machine that built this site:\n"
    "   ``matrix/matrix.json`` does not exist. Run ``make matrix``, then ``make docs``.\n"
)
NO_REPORTS = (
    ".. note::\n\n"
    "   The matrix ran, but wrote no per-version clause report (``matrix/conformance-*.json``),\n"
    "   so there is no clause grid to show.\n"
)

#: Clause outcomes from most to least serious, with the badge each is shown as.
OUTCOME_BADGES: dict[str, tuple[str, str]] = {
    "error": ("error", "error"),
    "failed": ("fail", "fail"),
    "xpassed": ("fail", "xpass"),
    "xfailed": ("xfail", "xfail"),
    "passed": ("pass", "pass"),
    "skipped": ("skip", "skip"),
    "untested": ("none", "untested"),
    "not-applicable": ("none", "n/a"),
}
_SEVERITY = {outcome: rank for rank, outcome in enumerate(reversed(list(OUTCOME_BADGES)))}
_PROBLEMS = ("error", "failed", "xpassed")
#: Column headers stay narrow: the two implementations every run has get short names.
SHORT_NAMES = {"socketserver": "stdlib", "sockspec.impl": "impl"}


@dataclass
class Cell:
    """One clause for one implementation under one Python: the outcomes of its classes."""

    outcomes: list[str] = field(default_factory=list[str])
    messages: list[str] = field(default_factory=list[str])

    @property
    def outcome(self) -> str:
        """The most serious outcome, or "" when no class reported the clause."""
        return max(self.outcomes, key=lambda o: _SEVERITY.get(o, -1), default="")

    def badge(self) -> str:
        """The cell as a coloured verdict, with a count when classes disagree."""
        outcome = self.outcome
        if not outcome:
            return verdict("none", "-")
        kind, label = OUTCOME_BADGES.get(outcome, ("none", outcome))
        applicable = [o for o in self.outcomes if o != "not-applicable"]
        if outcome != "not-applicable" and len(set(applicable)) > 1:
            label += f" {applicable.count(outcome)}/{len(applicable)}"
        return verdict(kind, label)


@dataclass
class Column:
    """One implementation under one Python version."""

    python: str
    implementation: str
    cells: dict[str, Cell] = field(default_factory=dict[str, Cell])

    @property
    def label(self) -> str:
        """A short header: ``stdlib 3.12`` for the standard library's ``socketserver``."""
        name = SHORT_NAMES.get(self.implementation, self.implementation)
        return f"{name} {self.python}"


def _version_key(python: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in python.split("."))


def read_columns(reports: Sequence[Path]) -> list[Column]:
    """One column per (Python version, implementation) found in the reports."""
    columns: dict[tuple[str, str], Column] = {}
    for path in reports:
        document = jsondata.record(jsondata.read(path))
        python = ".".join(jsondata.text(document.get("python"), "?").split(".")[:2])
        for raw_target in jsondata.items(document.get("targets")):
            target = jsondata.record(raw_target)
            module = jsondata.text(target.get("target"), "?").split(":", 1)[0].split("[", 1)[0]
            column = columns.setdefault((python, module), Column(python, module))
            for raw_row in jsondata.items(target.get("clauses")):
                row = jsondata.record(raw_row)
                cell = column.cells.setdefault(jsondata.text(row.get("id")), Cell())
                outcome = jsondata.text(row.get("outcome"), "untested")
                cell.outcomes.append(outcome)
                message = jsondata.text(row.get("message"))
                if outcome in _PROBLEMS and message and message not in cell.messages:
                    cell.messages.append(message)
    return sorted(columns.values(), key=lambda c: (c.implementation, _version_key(c.python)))


def matrix_rst(matrix_dir: Path, catalogue: Catalogue) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    summary = matrix_dir / "matrix.json"
    reports = sorted(matrix_dir.glob("conformance-*.json"))
    parts: list[str] = []
    if not summary.is_file() and not reports:
        parts.append(NOT_RUN)
    if summary.is_file():
        parts += [heading("Runs", "-"), _runs_rst(jsondata.read(summary))]
    columns = read_columns(reports)
    if summary.is_file() and not columns:
        parts.append(NO_REPORTS)
    elif columns:
        parts += [heading("Clauses", "-"), _grid_rst(columns, catalogue)]
        parts += [heading("Findings", "-"), _findings_rst(columns, catalogue)]
    parts += [heading("What the catalogue says changed", "-"), _catalogue_changes_rst(catalogue)]
    return "\n".join(parts), [summary, *reports]


def _runs_rst(runs: object) -> str:
    steps = ("install", "tests", "conformance")
    rows: list[list[str]] = []
    for raw in jsondata.items(runs):
        run = jsondata.record(raw)
        cells = [escape(jsondata.text(run.get("version"), "?"))]
        got = jsondata.record(run.get("steps"))
        for step in steps:
            outcome = jsondata.record(got.get(step))
            if not outcome:
                cells.append(verdict("none", "not run"))
                continue
            label = "pass" if outcome.get("ok") is True else "fail"
            seconds = jsondata.number(outcome.get("seconds"))
            cells.append(verdict(label, f"{label} {seconds:.1f} s"))
        rows.append(cells)
    if not rows:
        return "``matrix/matrix.json`` lists no interpreter.\n"
    intro = (
        "Each CPython found on the machine got a fresh virtual environment, an install of "
        "sockspec, the project's tests and a conformance run against its own standard "
        "library.\n\n"
    )
    return intro + list_table(("CPython", *steps), rows, classes=("sockspec-grid",))


def _clause_ref(clause_id: str, catalogue: Catalogue) -> str:
    # Only clauses of the current catalogue have an entry to link to.
    return f":clause:`{clause_id}`" if clause_id in catalogue else literal(clause_id)


def _legend() -> str:
    badges = ", ".join(
        f"{verdict(kind, label)} {escape(outcome)}"
        for outcome, (kind, label) in OUTCOME_BADGES.items()
    )
    return (
        f"Legend: {badges}; {verdict('none', '-')} the clause does not hold for that "
        "Python version or edition. A count such as *fail 2/9* means 2 of the 9 classes "
        "to which the clause applies had that outcome.\n"
    )


def _grid_rst(columns: Sequence[Column], catalogue: Catalogue) -> str:
    reported = {clause_id for column in columns for clause_id in column.cells}
    parts = [
        "One row per clause, one column per implementation and Python version (*stdlib* is "
        "the standard library's ``socketserver``, *impl* is ``sockspec.impl``); a cell "
        "folds the outcomes of all the implementation's classes.\n",
        _legend(),
    ]
    header = ("Clause", *(escape(column.label) for column in columns))
    for section in catalogue.sections:
        clause_ids = [c.id for c in catalogue.clauses if c.section == section.id]
        rows = [
            [_clause_ref(clause_id, catalogue), *(_cell(column, clause_id) for column in columns)]
            for clause_id in clause_ids
            if clause_id in reported
        ]
        if rows:
            parts.append(f"**{escape(section.title)}**\n")
            parts.append(list_table(header, rows, classes=("sockspec-grid",)))
    unknown = sorted(reported - {clause.id for clause in catalogue.clauses})
    if unknown:
        parts.append(
            "Reported clauses that the current catalogue no longer has: "
            + ", ".join(literal(clause_id) for clause_id in unknown)
            + ".\n"
        )
    return "\n".join(parts)


def _cell(column: Column, clause_id: str) -> str:
    cell = column.cells.get(clause_id)
    return cell.badge() if cell is not None else verdict("none", "-")


def _findings_rst(columns: Sequence[Column], catalogue: Catalogue) -> str:
    by_implementation: dict[str, list[Column]] = {}
    for column in columns:
        by_implementation.setdefault(column.implementation, []).append(column)
    differences: list[str] = []
    failures: list[str] = []
    for implementation, own in by_implementation.items():
        clause_ids = sorted({clause_id for column in own for clause_id in column.cells})
        for clause_id in clause_ids:
            cells = [(column.python, column.cells.get(clause_id)) for column in own]
            outcomes = {cell.outcome for _, cell in cells if cell is not None}
            problems = [(python, cell) for python, cell in cells if cell and cell.messages]
            if not problems:
                continue
            where = ", ".join(
                f"{python}: {cell.badge() if cell else verdict('none', '-')}"
                for python, cell in cells
            )
            detail = "".join(
                f"\n\n  * Python {escape(python)}: {escape(cell.messages[0])}"
                for python, cell in problems
            )
            entry = (
                f"* {_clause_ref(clause_id, catalogue)} in {literal(implementation)} "
                f"({where}){detail}\n"
            )
            (differences if len(outcomes) > 1 else failures).append(entry)
    parts: list[str] = []
    parts.append(
        "**Deviations between Python versions.** Clauses whose outcome changes from one "
        "Python version to another for the same implementation:\n"
    )
    parts.append("\n".join(differences) if differences else "None observed.\n")
    parts.append(
        "**Deviations on every version run.** Clauses an implementation fails (or passes "
        "against its expected-failure file) wherever it was run:\n"
    )
    parts.append("\n".join(failures) if failures else "None observed.\n")
    return "\n".join(parts)


def _clause_line(clause: Clause, catalogue: Catalogue) -> str:
    note = f" {prose(clause.note)}" if clause.note else ""
    return (
        f"* {_clause_ref(clause.id, catalogue)} (Python {escape(clause.versions_label)}, "
        f"{', '.join(sorted(clause.editions))}): {prose(clause.text)}{note}\n"
    )


def _catalogue_changes_rst(catalogue: Catalogue) -> str:
    """The deviations the catalogue itself records: edition-only and version-bound clauses."""
    classic_only = [c for c in catalogue.clauses if c.editions == frozenset({"classic"})]
    current_only = [c for c in catalogue.clauses if c.editions == frozenset({"current"})]
    within_3 = [
        c
        for c in catalogue.clauses
        if (c.since > (3, 9)) or (c.until is not None and c.until >= (3, 0))
    ]
    parts = [
        "These come from the catalogue, not from a run: clauses that only one edition "
        "states, and clauses that hold for a range of Python versions only.\n",
        f"**Only in the 2.4 text** ({len(classic_only)} clauses): promises of the Python 2.4 "
        "library reference that the Python 3 documentation no longer makes.\n",
        "\n".join(_clause_line(c, catalogue) for c in classic_only) or "None.\n",
        f"**Only in the Python 3 documentation** ({len(current_only)} clauses): members and "
        "behaviours the 2.4 text does not document.\n",
        "\n".join(_clause_line(c, catalogue) for c in current_only) or "None.\n",
        f"**Changed within Python 3.9-3.13** ({len(within_3)} clauses): clauses that start "
        "after 3.9 or stop before today.\n",
        "\n".join(_clause_line(c, catalogue) for c in within_3) or "None.\n",
    ]
    return "\n".join(parts)

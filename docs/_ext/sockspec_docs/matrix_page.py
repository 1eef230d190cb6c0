"""The conformance matrix page, generated from what ``make matrix`` wrote.

Inputs, all optional, in the matrix directory: ``matrix.json`` (one entry per
interpreter: its version and the outcome of each step) and the clause reports
``conformance-*.json`` (format ``sockspec.conformance.records.REPORT_FORMAT``, see
``conformance/report_schema.json``; one per Python version and edition).  Other
JSON files there, such as the comparison ``conformance-matrix.json``, are not
clause reports and are ignored.

An *implementation* is the module part of a report's targets (``socketserver``,
``http.server``, ``sockspec.impl``...).  A grid cell folds every class of the
implementation under every Python version into one verdict, the most serious
outcome winning, with how many of those results had it; the findings, decided by
:mod:`sockspec.conformance.findings` (as for ``compare``), then say which Python
versions and classes were involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from sockspec.conformance.findings import (
    PROBLEMS,
    Finding,
    Verdict,
    findings,
    implementation_of,
    load_report,
    most_serious,
    python_key,
    read_verdicts,
)
from sockspec.spec.catalogue import Catalogue, Clause

from . import jsondata
from .rst import escape, heading, list_table, literal, one_line, prose, verdict

NOT_RUN = (
    ".. note::\n\n"
    "   **The matrix has not been run** on the machine that built this site:\n"
    "   ``matrix/matrix.json`` does not exist. Run ``make matrix``, then ``make docs``.\n"
)
NO_REPORTS = (
    ".. note::\n\n"
    "   The matrix ran, but wrote no clause report (``matrix/conformance-*.json``),\n"
    "   so there is no clause grid to show.\n"
)

#: Clause outcomes from most to least serious, with the badge each is shown as.
OUTCOME_BADGES: dict[str, tuple[str, str]] = {
    "error": ("error", "error"),
    "failed": ("fail", "fail"),
    "xpassed": ("fail", "xpass"),
    "xfailed": ("xfail", "xfail"),
    "blocked": ("skip", "blocked"),
    "not-run": ("none", "not run"),
    "passed": ("pass", "pass"),
    "skipped": ("skip", "skip"),
    "untested": ("none", "untested"),
    "not-applicable": ("none", "n/a"),
}
_JUDGED = ("passed", "xfailed", *PROBLEMS)
EDITION_TITLES = {
    "current": "the Python 3 documentation (current edition)",
    "classic": "the Python 2.4 text (classic edition)",
}


#: One clause verdict of one class, under one Python, against one edition.
Result = Verdict


@dataclass
class Cell:
    """Several results folded into one verdict."""

    results: list[Result] = field(default_factory=list[Result])

    @property
    def outcome(self) -> str:
        """The most serious outcome, or "" when nothing was reported."""
        return most_serious(result.outcome for result in self.results)

    def badge(self) -> str:
        """The verdict as a coloured badge, with a count when the results disagree."""
        outcome = self.outcome
        if not outcome:
            return verdict("none", "-")
        kind, label = OUTCOME_BADGES.get(outcome, ("none", outcome))
        judged = [r.outcome for r in self.results if r.outcome in _JUDGED]
        if outcome in PROBLEMS and len(judged) > 1:
            # How many of the results that reached a verdict had this problem.
            label += f" {judged.count(outcome)}/{len(judged)}"
        return verdict(kind, label)


_MESSAGE_LIMIT = 300


def _short_message(message: str) -> str:
    """A failure message on one line (the page lists them as bullet items), shortened."""
    flat = one_line(message)
    return flat if len(flat) <= _MESSAGE_LIMIT else flat[: _MESSAGE_LIMIT - 3] + "..."


def read_results(reports: Iterable[Path]) -> list[Result]:
    """Every clause verdict of every clause report among ``reports`` (others are ignored)."""
    results: list[Result] = []
    for path in reports:
        try:
            document = load_report(path)
        except ValueError:
            continue  # not a clause report of this format
        for found in read_verdicts(document):
            results.append(replace(found, message=_short_message(found.message)))
    return results


def matrix_rst(matrix_dir: Path, catalogue: Catalogue) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    summary = matrix_dir / "matrix.json"
    reports = sorted(matrix_dir.glob("conformance-*.json"))
    results = read_results(reports)
    parts: list[str] = []
    if not summary.is_file() and not results:
        parts.append(NOT_RUN)
    if summary.is_file():
        parts += [heading("Runs", "-"), _runs_rst(jsondata.read(summary))]
    if summary.is_file() and not results:
        parts.append(NO_REPORTS)
    elif results:
        parts += [heading("Pass rates", "-"), _rates_rst(results)]
        for edition in ("current", "classic"):
            own = [r for r in results if r.edition == edition]
            if own:
                title = f"Clauses of {EDITION_TITLES[edition]}"
                parts += [heading(title, "-"), _grid_rst(own, catalogue, edition)]
        parts += [heading("Findings", "-"), _findings_rst(results, catalogue)]
    parts += [heading("What the catalogue says changed", "-"), _catalogue_changes_rst(catalogue)]
    return "\n".join(parts), [summary, *reports]


def _runs_rst(runs: object) -> str:
    records = [jsondata.record(raw) for raw in jsondata.items(runs)]
    steps: list[str] = []
    for run in records:
        for step in jsondata.record(run.get("steps")):
            if step not in steps:
                steps.append(step)
    rows: list[list[str]] = []
    for run in records:
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
        "Each Python found on the machine (CPython, and PyPy where installed) got a fresh "
        "virtual environment, an install of sockspec, the project's tests and conformance "
        "runs against its own standard library.\n\n"
    )
    header = ("Python", *(escape(step) for step in steps))
    return intro + list_table(header, rows, classes=("sockspec-grid",))


def _rates_rst(results: Sequence[Result]) -> str:
    """Per edition: implementation x Python, the share of applicable clauses passed."""
    parts = [
        "For each implementation and Python version: the applicable clauses whose checks "
        "all passed, out of those with a verdict (clauses no check verifies yet are not "
        "counted). Green when nothing failed.\n"
    ]
    for edition in ("current", "classic"):
        own = [r for r in results if r.edition == edition]
        if not own:
            continue
        pythons = sorted({r.python for r in own}, key=python_key)
        implementations = sorted({implementation_of(r.target) for r in own})
        rows: list[list[str]] = []
        for implementation in implementations:
            line = [literal(implementation)]
            for python in pythons:
                mine = [
                    r
                    for r in own
                    if implementation_of(r.target) == implementation and r.python == python
                ]
                line.append(_rate_badge(mine))
            rows.append(line)
        parts.append(f"**Against {EDITION_TITLES[edition]}:**\n")
        parts.append(list_table(("Implementation", *pythons), rows, classes=("sockspec-grid",)))
    return "\n".join(parts)


def _rate_badge(results: Sequence[Result]) -> str:
    if not results:
        return verdict("none", "-")
    judged = [r for r in results if r.outcome in _JUDGED]
    passed = sum(1 for r in judged if r.outcome in ("passed", "xfailed"))
    failed = any(r.outcome in PROBLEMS for r in judged)
    share = f"{passed}/{len(judged)}" if judged else "0/0"
    return verdict("fail" if failed else "pass", share)


def _clause_ref(clause_id: str, catalogue: Catalogue) -> str:
    # Only clauses of the current catalogue have an entry to link to.
    return f":clause:`{clause_id}`" if clause_id in catalogue else literal(clause_id)


def _legend() -> str:
    badges = ", ".join(
        f"{verdict(kind, label)} {escape(outcome)}"
        for outcome, (kind, label) in OUTCOME_BADGES.items()
    )
    return (
        f"Legend: {badges}; {verdict('none', '-')} not reported for this implementation. "
        "A count such as *fail 3/20* means 3 of the implementation's 20 pass or fail "
        "verdicts for that clause (its classes under every Python version run) were "
        "failures; the findings below say which.\n"
    )


def _grid_rst(results: Sequence[Result], catalogue: Catalogue, edition: str) -> str:
    implementations = sorted({implementation_of(r.target) for r in results})
    cells: dict[tuple[str, str], Cell] = {}
    for result in results:
        cells.setdefault((result.clause, implementation_of(result.target)), Cell()).results.append(
            result
        )
    reported = {clause_id for clause_id, _ in cells}
    parts = [
        f"One row per clause of {EDITION_TITLES[edition]}, one column per implementation.\n",
        _legend(),
    ]
    header = ("Clause", *(literal(name) for name in implementations))
    for section in catalogue.sections:
        rows = [
            [
                _clause_ref(clause.id, catalogue),
                *(
                    cells[(clause.id, name)].badge()
                    if (clause.id, name) in cells
                    else verdict("none", "-")
                    for name in implementations
                ),
            ]
            for clause in catalogue.clauses
            if clause.section == section.id and clause.id in reported
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


def _by_python(results: Sequence[Result]) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for result in results:
        cells.setdefault(result.python, Cell()).results.append(result)
    return dict(sorted(cells.items(), key=lambda item: python_key(item[0])))


def _problem_lines(problems: Sequence[Result]) -> str:
    """Sub-items, one per distinct failure message: the classes and Pythons that had it."""
    by_message: dict[str, list[Result]] = {}
    for result in problems:
        by_message.setdefault(result.message, []).append(result)
    lines: list[str] = []
    for message, results in by_message.items():
        targets = sorted({r.target for r in results})
        pythons = sorted({r.python for r in results}, key=python_key)
        said = f": {escape(message)}" if message else ""
        names = ", ".join(literal(target) for target in targets)
        lines.append(f"\n\n  * {names} on Python {escape(', '.join(pythons))}{said}")
    return "".join(lines)


def _implementation(result: Result) -> str:
    return implementation_of(result.target)


def _findings_rst(results: Sequence[Result], catalogue: Catalogue) -> str:
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        key = (result.edition, _implementation(result), result.clause)
        groups.setdefault(key, []).append(result)
    differences: list[str] = []
    deviations: list[str] = []
    classic: list[str] = []
    found = findings(results, subject=_implementation)
    for finding in found:
        if finding.kind == "target-availability":
            continue
        own = groups[(finding.edition, finding.subject, finding.clause)]
        where = ", ".join(f"{python}: {cell.badge()}" for python, cell in _by_python(own).items())
        against = " against the 2.4 text" if finding.edition == "classic" else ""
        entry = (
            f"* {_clause_ref(finding.clause, catalogue)} in {literal(finding.subject)}{against} "
            f"({where})"
            f"{_problem_lines(finding.problems)}\n"
        )
        if finding.kind == "version-difference":
            differences.append(entry)
        elif finding.kind == "classic-vs-today":
            classic.append(entry + _note(finding.clause, catalogue))
        else:
            deviations.append(entry + _note(finding.clause, catalogue))
    parts = [
        "**Differences between Python versions.** The same implementation keeps the clause "
        "under some Python versions and not under others: behaviour changed between "
        "releases (or the clause only holds from a version on and the catalogue says so). "
        "Each entry gives the verdict per Python version, then the failing classes with "
        "what the check observed.\n",
        "\n".join(differences) if differences else "None observed.\n",
        "**Deviations from the Python 3 documentation.** Clauses of the current edition "
        "that an implementation breaks under every Python version run: the implementation "
        "does not do what today's documentation says.\n",
        "\n".join(deviations) if deviations else "None observed.\n",
        "**The Python 2.4 text against today.** Clauses of the classic edition that today's "
        "implementations break under every Python version run: promises of the 2.4 library "
        "reference that no longer hold. The catalogue's note on each says what changed.\n",
        "\n".join(classic) if classic else "None observed.\n",
        _availability_rst([f for f in found if f.kind == "target-availability"]),
    ]
    return "\n".join(parts)


def _note(clause_id: str, catalogue: Catalogue) -> str:
    if clause_id not in catalogue or not catalogue.get(clause_id).note:
        return ""
    return f"\n  Catalogue note: {prose(one_line(catalogue.get(clause_id).note))}\n"


def _availability_rst(partial: Sequence[Finding]) -> str:
    lines = [
        "**Classes that only some Python versions have.** A class missing from a version "
        "was not verified there.\n"
    ]
    if not partial:
        lines.append("None: every class verified exists under every Python version run.\n")
    for finding in partial:
        pythons = ", ".join(finding.by_python)
        lines.append(f"* {literal(finding.subject)}: only Python {escape(pythons)}")
    return "\n".join(lines) + "\n"


def _clause_line(clause: Clause, catalogue: Catalogue) -> str:
    note = f" {prose(one_line(clause.note))}" if clause.note else ""
    return (
        f"* {_clause_ref(clause.id, catalogue)} (Python {escape(clause.versions_label)}, "
        f"{', '.join(sorted(clause.editions))}): {prose(one_line(clause.text))}{note}\n"
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

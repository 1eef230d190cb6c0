"""The type-checker results: ``tests/typing/results.json`` (format ``sockspec-typing/1``).

``make typing`` runs the typing cases under mypy, pyright, pyrefly, ty and zuban for a
Python 3.9 and a 3.13 target and writes, per checker, target and case, a verdict:
``pass`` (exactly the pinned errors), ``deviation`` (the differences are known faults
of the checker, recorded with a reason), ``fail`` or ``not-run``.  The
``.. sockspec-typing::`` directive renders them as one table, a case per row and a
checker per column, in the manner of the python/typing conformance results, followed
by every recorded deviation with its reason.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import jsondata
from .rst import escape, heading, list_table, literal

#: Which column a checker's runs go to, in this order.
CHECKER_ORDER = ("mypy", "pyright", "pyrefly", "ty", "zuban")
NOT_RUN = (
    ".. note::\n\n"
    "   **No type-checker results** were found when this site was built:\n"
    "   ``tests/typing/results.json`` does not exist. Run ``make typing``, then\n"
    "   ``make docs``, to fill this page.\n"
)


def _cell(verdicts: list[tuple[str, str]]) -> str:
    """One checker's verdicts on one case: one word if every target agrees."""
    if len({verdict for _, verdict in verdicts}) == 1:
        return verdicts[0][1]
    return "\n\n".join(f"{target}: {verdict}" for target, verdict in verdicts)


def _runs_by_checker(runs: list[dict[str, object]]) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = {}
    for run in runs:
        grouped.setdefault(jsondata.text(run.get("checker"), "?"), []).append(run)
    known = [name for name in CHECKER_ORDER if name in grouped]
    return {name: grouped[name] for name in [*known, *sorted(set(grouped) - set(known))]}


def _column_title(name: str, runs: list[dict[str, object]]) -> str:
    versions = list(dict.fromkeys(jsondata.text(run.get("version"), "?") for run in runs))
    return escape(f"{name} {' / '.join(versions)}")


def _verdict(run: dict[str, object], case: str) -> str:
    cases = jsondata.record(run.get("cases"))
    return jsondata.text(jsondata.record(cases.get(case)).get("verdict"), "not-run")


def results_rst(document: dict[str, object]) -> str:
    """The table (cases x checkers), the per-checker totals and the deviations' reasons."""
    cases = [jsondata.text(case) for case in jsondata.items(document.get("cases"))]
    runs = [jsondata.record(run) for run in jsondata.items(document.get("runs"))]
    by_checker = _runs_by_checker(runs)
    rows: list[list[str]] = []
    for case in cases:
        row = [literal(case)]
        for checker_runs in by_checker.values():
            verdicts = [
                (jsondata.text(run.get("target"), "?"), _verdict(run, case)) for run in checker_runs
            ]
            row.append(_cell(verdicts))
        rows.append(row)
    totals = ["**Total** (cases x targets)"]
    for checker_runs in by_checker.values():
        counts: dict[str, int] = {}
        for run in checker_runs:
            for case in cases:
                verdict = _verdict(run, case)
                counts[verdict] = counts.get(verdict, 0) + 1
        totals.append(", ".join(f"{count} {verdict}" for verdict, count in sorted(counts.items())))
    rows.append(totals)
    header = ["Case", *(_column_title(name, runs) for name, runs in by_checker.items())]
    parts = [list_table(header, rows, classes=("sockspec-typing",))]
    parts.append(_targets_rst(by_checker))
    parts.append(_notes_rst(by_checker))
    return "\n".join(parts)


def _targets_rst(by_checker: dict[str, list[dict[str, object]]]) -> str:
    lines: list[str] = []
    for name, checker_runs in by_checker.items():
        for run in checker_runs:
            error = jsondata.text(run.get("error"))
            seconds = jsondata.number(run.get("seconds"))
            lines.append(
                f"* {escape(name)} {escape(jsondata.text(run.get('version'), '?'))}, "
                f"``--python-version {jsondata.text(run.get('target'), '?')}``: "
                + (f"could not run: {escape(error)}" if error else f"{seconds:.1f} s")
            )
    return "Each cell covers two runs, one per target:\n\n" + "\n".join(lines) + "\n"


def _notes_rst(by_checker: dict[str, list[dict[str, object]]]) -> str:
    parts: list[str] = []
    for name, checker_runs in by_checker.items():
        notes: dict[str, list[str]] = {}
        for run in checker_runs:
            target = jsondata.text(run.get("target"), "?")
            for case, raw in jsondata.record(run.get("cases")).items():
                for note in jsondata.items(jsondata.record(raw).get("notes")):
                    notes.setdefault(f"{case}, {jsondata.text(note)}", []).append(target)
        if notes:
            parts.append(heading(f"Known deviations of {name}", "-"))
            parts.append(
                "\n".join(
                    f"* {literal(where.split(', ', 1)[0])}, {escape(where.split(', ', 1)[1])}"
                    f" (target {', '.join(targets)})"
                    for where, targets in sorted(notes.items())
                )
                + "\n"
            )
    if not parts:
        return "No checker has a known deviation: every cell is a pass.\n"
    return "\n".join(parts)


def typing_rst(results: Path) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    if not results.is_file():
        return NOT_RUN, [results]
    document = jsondata.record(jsondata.read(results))
    when = jsondata.text(document.get("generated"), "an unknown date")
    python = jsondata.text(document.get("python"), "?")
    intro = f"Results of ``make typing`` from {escape(when)} (checkers run by Python {python}).\n"
    return intro + "\n" + results_rst(document), [results]


class TypingDirective(SphinxDirective):
    """``.. sockspec-typing::``: the case x checker table, or a note that it has not run."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        results = Path(self.config.sockspec_typing_results)
        text, read = typing_rst(results)
        for path in read:
            if path.is_file():
                self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(text, allow_section_headings=True)

"""Comparing conformance reports: an implementation x clause matrix across Pythons and editions.

``python -m sockspec.conformance.compare REPORT.json ... --json OUT --markdown OUT`` reads
reports written by ``sockspec-conformance --json`` (for example one per Python version
and edition, as ``make matrix`` writes them) and produces:

* per target and run (Python x edition): the share of applicable clauses passed;
* per clause and run: how many targets pass, fail, or lack a check;
* findings: outcomes that differ between Python versions for the same target and
  clause, classes that exist only in some versions, the classic (Python 2.4) text's
  clauses that today's implementations break, and current-edition clauses that fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .findings import (
    Finding,
    findings,
    json_object,
    json_objects,
    load_report,
    python_key,
    python_label,
    read_verdicts,
)

__all__ = ["FORMAT", "Matrix", "build_matrix", "load_reports", "main", "markdown"]

#: The matrix document's format (2: findings in the shape of :func:`_finding_dict`).
FORMAT = "sockspec-conformance-matrix/2"
Doc = Mapping[str, object]


@dataclass(frozen=True)
class Run:
    """One report: which Python (major.minor) and edition it comes from."""

    label: str
    python: str
    edition: str
    doc: Doc


def load_reports(paths: Sequence[Path]) -> list[Run]:
    """Read reports; ``ValueError`` names a file that is not a report of this format."""
    runs: list[Run] = []
    for path in paths:
        doc = load_report(path)
        python = python_label(doc)
        edition = str(doc.get("edition"))
        runs.append(Run(f"{python}/{edition}", python, edition, doc))
    return sorted(runs, key=lambda run: (run.edition != "current", python_key(run.python)))


def _rows(doc: Doc, key: str) -> list[Doc]:
    return json_objects(doc.get(key))


@dataclass
class Matrix:
    """The comparison, ready for JSON (:meth:`as_dict`) or Markdown (:func:`markdown`)."""

    runs: list[Run]
    #: target -> run label -> pass rate (None when nothing applies) ; missing = not in that run
    rates: dict[str, dict[str, Optional[float]]]
    #: clause ID -> run label -> outcome -> targets with that outcome
    cells: dict[str, dict[str, dict[str, list[str]]]]
    texts: dict[str, str]
    sections: dict[str, str]
    findings: list[dict[str, object]]

    def as_dict(self) -> dict[str, object]:
        """The matrix as a JSON document (format ``sockspec-conformance-matrix/1``)."""
        return {
            "format": FORMAT,
            "runs": [
                {
                    "label": run.label,
                    "python": run.doc.get("python"),
                    "edition": run.edition,
                    "summary": run.doc.get("summary"),
                }
                for run in self.runs
            ],
            "targets": {target: rates for target, rates in sorted(self.rates.items())},
            "clauses": [
                {
                    "id": clause_id,
                    "section": self.sections[clause_id],
                    "text": self.texts[clause_id],
                    "runs": by_run,
                }
                for clause_id, by_run in self.cells.items()
            ],
            "findings": self.findings,
        }


def _finding_dict(finding: Finding) -> dict[str, object]:
    """A finding as the matrix JSON lists it."""
    first = finding.problems[0] if finding.problems else None
    return {
        "kind": finding.kind,
        "edition": finding.edition,
        "target": finding.subject,
        "clause": finding.clause,
        "text": first.text if first else "",
        "outcomes": finding.by_python,
        "pythons": list(finding.by_python),
        "detail": finding.detail,
    }


def build_matrix(runs: Sequence[Run]) -> Matrix:
    """Compare the runs: rates per target, outcomes per clause, and the findings."""
    rates: dict[str, dict[str, Optional[float]]] = {}
    cells: dict[str, dict[str, dict[str, list[str]]]] = {}
    texts: dict[str, str] = {}
    sections: dict[str, str] = {}
    for run in runs:
        for target in _rows(run.doc, "targets"):
            name = str(target.get("target"))
            rate = json_object(target.get("summary")).get("pass_rate")
            rates.setdefault(name, {})[run.label] = (
                float(rate) if isinstance(rate, (int, float)) else None
            )
            for row in _rows(target, "clauses"):
                clause_id = str(row.get("id"))
                texts[clause_id] = str(row.get("text", ""))
                sections[clause_id] = str(row.get("section", ""))
                by_outcome = cells.setdefault(clause_id, {}).setdefault(run.label, {})
                by_outcome.setdefault(str(row.get("outcome")), []).append(name)
    ordered = dict(sorted(cells.items(), key=lambda item: (sections[item[0]], item[0])))
    verdicts = [verdict for run in runs for verdict in read_verdicts(run.doc)]
    found = [_finding_dict(finding) for finding in findings(verdicts)]
    return Matrix(list(runs), rates, ordered, texts, sections, found)


def _cell(by_outcome: Optional[Mapping[str, Sequence[str]]]) -> str:
    if by_outcome is None:
        return "—"
    counts = {outcome: len(targets) for outcome, targets in by_outcome.items()}
    applicable = sum(n for outcome, n in counts.items() if outcome != "not-applicable")
    bad = counts.get("failed", 0) + counts.get("error", 0)
    if not applicable:
        return "n/a"
    if bad:
        return f"**FAIL {bad}/{applicable}**"
    if counts.get("untested") == applicable:
        return "untested"
    shown = [f"pass {counts.get('passed', 0)}/{applicable}"]
    others = ("xfailed", "xpassed", "blocked", "not-run", "skipped")
    shown += [f"{counts[o]} {o}" for o in others if counts.get(o)]
    return ", ".join(shown)


def _rate(rate: Optional[float]) -> str:
    return "n/a" if rate is None else f"{100 * rate:.0f}%"


def markdown(matrix: Matrix) -> str:
    """The matrix and its findings as a Markdown page."""
    lines = ["# Conformance matrix", ""]
    labels = [run.label for run in matrix.runs]
    lines.append(
        f"Generated by `sockspec.conformance.compare` from {len(matrix.runs)} report(s): "
        + ", ".join(
            f"Python {run.doc.get('python')} ({run.edition} edition)" for run in matrix.runs
        )
        + "."
    )
    lines += ["", "## Share of applicable clauses passed, per class", ""]
    lines.append("| target | " + " | ".join(labels) + " |")
    lines.append("|---|" + "---|" * len(labels))
    for target, rates in sorted(matrix.rates.items()):
        cells = [_rate(rates[label]) if label in rates else "—" for label in labels]
        lines.append(f"| `{target}` | " + " | ".join(cells) + " |")
    lines += ["", "## Findings", ""]
    titles = {
        "version-difference": "Differences between Python versions",
        "target-availability": "Classes that exist only in some Python versions",
        "deviation": "Failures against the current documentation",
        "classic-vs-today": "Where today's implementations differ from the Python 2.4 text",
    }
    for kind, title in titles.items():
        found = [f for f in matrix.findings if f["kind"] == kind]
        lines += [f"### {title} ({len(found)})", ""]
        if not found:
            lines += ["None.", ""]
            continue
        for finding in found:
            lines.append(_finding_line(finding))
        lines.append("")
    for edition in ("current", "classic"):
        runs = [run.label for run in matrix.runs if run.edition == edition]
        if not runs:
            continue
        lines += [f"## Clauses x Python ({edition} edition)", ""]
        lines.append("| clause | " + " | ".join(label.split("/")[0] for label in runs) + " |")
        lines.append("|---|" + "---|" * len(runs))
        for clause_id, by_run in matrix.cells.items():
            if not any(label in by_run for label in runs):
                continue
            cells = [_cell(by_run.get(label)) for label in runs]
            lines.append(f"| `{clause_id}` | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _finding_line(finding: Mapping[str, object]) -> str:
    kind = finding["kind"]
    detail = str(finding.get("detail") or "").replace("\n", " ")
    if len(detail) > 200:
        detail = detail[:197] + "..."
    if kind == "target-availability":
        return f"- `{finding['target']}`: {detail}"
    outcomes = json_object(finding.get("outcomes"))
    shown = ", ".join(f"{python}: {outcome}" for python, outcome in outcomes.items())
    said = f" — {detail}" if detail else ""
    clause, target = finding["clause"], finding["target"]
    if kind == "version-difference":
        return f"- `{clause}` on `{target}` ({finding['edition']}): {shown}{said}"
    return f"- `{clause}` — {finding.get('text', '')} Fails on `{target}` ({shown}){said}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Compare reports; 0 on success, 2 when a report cannot be read."""
    parser = argparse.ArgumentParser(
        prog="python -m sockspec.conformance.compare",
        description="Compare sockspec conformance reports.",
    )
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the matrix as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write it as Markdown")
    args = parser.parse_args(argv)
    try:
        matrix = build_matrix(load_reports(args.reports))
    except ValueError as error:
        print(f"compare: error: {error}", file=sys.stderr)
        return 2
    text = markdown(matrix)
    if args.json:
        args.json.write_text(json.dumps(matrix.as_dict(), indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if not args.json and not args.markdown:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

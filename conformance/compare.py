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
from typing import Optional, cast

from .records import REPORT_FORMAT

__all__ = ["FORMAT", "Matrix", "build_matrix", "load_reports", "main", "markdown"]

FORMAT = "sockspec-conformance-matrix/1"
_VERDICTS = ("passed", "failed", "error", "xfailed", "xpassed")
Doc = Mapping[str, object]


@dataclass(frozen=True)
class Run:
    """One report: which Python (major.minor) and edition it comes from."""

    label: str
    python: str
    edition: str
    doc: Doc


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _version_key(label: str) -> tuple[int, ...]:
    return tuple(int(part) for part in label.split("/", maxsplit=1)[0].split(".") if part.isdigit())


def load_reports(paths: Sequence[Path]) -> list[Run]:
    """Read reports; ``ValueError`` names a file that is not a report of this format."""
    runs: list[Run] = []
    for path in paths:
        try:
            doc = cast("Doc", json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: cannot read a JSON report: {error}") from error
        if doc.get("format") != REPORT_FORMAT:
            raise ValueError(f"{path}: not a {REPORT_FORMAT} report")
        python, edition = _minor(str(doc.get("python"))), str(doc.get("edition"))
        runs.append(Run(f"{python}/{edition}", python, edition, doc))
    return sorted(runs, key=lambda run: (run.edition != "current", _version_key(run.label)))


def _rows(doc: Doc, key: str) -> list[Doc]:
    return cast("list[Doc]", doc.get(key, []))


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


def _outcomes(runs: Sequence[Run]) -> dict[tuple[str, str, str], dict[str, Doc]]:
    """(edition, target, clause) -> Python -> clause row."""
    found: dict[tuple[str, str, str], dict[str, Doc]] = {}
    for run in runs:
        for target in _rows(run.doc, "targets"):
            for row in _rows(target, "clauses"):
                key = (run.edition, str(target.get("target")), str(row.get("id")))
                found.setdefault(key, {})[run.python] = row
    return found


def _version_findings(runs: Sequence[Run]) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = []
    for (edition, target, clause_id), by_python in sorted(_outcomes(runs).items()):
        verdicts = {
            python: str(row.get("outcome"))
            for python, row in by_python.items()
            if row.get("outcome") in _VERDICTS
        }
        if len(set(verdicts.values())) > 1:
            failing = [row for row in by_python.values() if row.get("outcome") == "failed"]
            findings.append(
                {
                    "kind": "version-difference",
                    "edition": edition,
                    "target": target,
                    "clause": clause_id,
                    "outcomes": dict(sorted(verdicts.items(), key=lambda i: _version_key(i[0]))),
                    "detail": str(failing[0].get("message", "")) if failing else "",
                }
            )
    return findings


def _availability_findings(runs: Sequence[Run]) -> list[dict[str, object]]:
    pythons = sorted({run.python for run in runs}, key=_version_key)
    present: dict[str, set[str]] = {}
    for run in runs:
        for target in _rows(run.doc, "targets"):
            present.setdefault(str(target.get("target")), set()).add(run.python)
    return [
        {
            "kind": "target-availability",
            "target": target,
            "pythons": sorted(found, key=_version_key),
            "detail": f"only in Python {', '.join(sorted(found, key=_version_key))}",
        }
        for target, found in sorted(present.items())
        if set(pythons) - found
    ]


def _failure_findings(runs: Sequence[Run]) -> list[dict[str, object]]:
    """Clauses failed per edition: classic ones are the 2.4 text versus today."""
    grouped: dict[tuple[str, str], dict[str, object]] = {}
    for (edition, target, clause_id), by_python in _outcomes(runs).items():
        for python, row in by_python.items():
            if row.get("outcome") not in ("failed", "error"):
                continue
            entry = grouped.setdefault(
                (edition, clause_id),
                {
                    "kind": "classic-vs-today" if edition == "classic" else "deviation",
                    "edition": edition,
                    "clause": clause_id,
                    "text": row.get("text", ""),
                    "targets": [],
                    "pythons": [],
                    "detail": str(row.get("message", "")),
                },
            )
            targets, pythons = (
                cast("list[str]", entry["targets"]),
                cast("list[str]", entry["pythons"]),
            )
            if target not in targets:
                targets.append(target)
            if python not in pythons:
                pythons.append(python)
    for entry in grouped.values():
        cast("list[str]", entry["targets"]).sort()
        cast("list[str]", entry["pythons"]).sort(key=_version_key)
    return [grouped[key] for key in sorted(grouped)]


def build_matrix(runs: Sequence[Run]) -> Matrix:
    """Compare the runs: rates per target, outcomes per clause, and the findings."""
    rates: dict[str, dict[str, Optional[float]]] = {}
    cells: dict[str, dict[str, dict[str, list[str]]]] = {}
    texts: dict[str, str] = {}
    sections: dict[str, str] = {}
    for run in runs:
        for target in _rows(run.doc, "targets"):
            name = str(target.get("target"))
            rate = cast("Doc", target.get("summary", {})).get("pass_rate")
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
    findings = _version_findings(runs) + _availability_findings(runs) + _failure_findings(runs)
    return Matrix(list(runs), rates, ordered, texts, sections, findings)


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
    shown += [f"{counts[o]} {o}" for o in ("xfailed", "xpassed", "skipped") if counts.get(o)]
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
    if kind == "version-difference":
        outcomes = cast("Mapping[str, str]", finding["outcomes"])
        shown = ", ".join(f"{python}: {outcome}" for python, outcome in outcomes.items())
        return (
            f"- `{finding['clause']}` on `{finding['target']}` ({finding['edition']}): {shown}"
            + (f" — {detail}" if detail else "")
        )
    if kind == "target-availability":
        return f"- `{finding['target']}`: {detail}"
    targets = cast("list[str]", finding["targets"])
    pythons = ", ".join(cast("list[str]", finding["pythons"]))
    shown_targets = ", ".join(f"`{t}`" for t in targets[:4]) + (
        f" and {len(targets) - 4} more" if len(targets) > 4 else ""
    )
    return (
        f"- `{finding['clause']}` — {finding.get('text', '')} Fails on {shown_targets} "
        f"(Python {pythons}): {detail}"
    )


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

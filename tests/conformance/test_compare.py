"""Comparing reports across Pythons and editions: the matrix and its findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import pytest
from sockspec.conformance import compare, findings
from sockspec.conformance.records import REPORT_FORMAT


def _row(clause_id: str, outcome: str, message: str = "") -> dict[str, object]:
    return {
        "id": clause_id,
        "section": "server.methods",
        "text": f"text of {clause_id}.",
        "outcome": outcome,
        "message": message,
        "reproducer": "",
        "seconds": 0.0,
        "checks": [],
    }


def _report(python: str, edition: str, targets: dict[str, list[dict[str, object]]]) -> object:
    return {
        "format": REPORT_FORMAT,
        "python": python,
        "edition": edition,
        "summary": {},
        "targets": [
            {"target": name, "clauses": rows, "summary": {"pass_rate": 0.5}}
            for name, rows in targets.items()
        ],
    }


@pytest.fixture
def reports(tmp_path: Path) -> list[Path]:
    """Three reports: 3.9 and 3.12 under the current docs, 3.12 under the 2.4 text."""
    documents = {
        "a.json": _report(
            "3.9.18",
            "current",
            {"m:TCP": [_row("server.x.y", "passed"), _row("server.x.z", "passed")]},
        ),
        "b.json": _report(
            "3.12.1",
            "current",
            {
                "m:TCP": [_row("server.x.y", "failed", "observed 1, expected 2")],
                "m:New": [_row("server.x.y", "passed")],
            },
        ),
        "c.json": _report(
            "3.12.1", "classic", {"m:TCP": [_row("server.old.z", "failed", "prints to stderr")]}
        ),
    }
    paths: list[Path] = []
    for name, document in documents.items():
        path = tmp_path / name
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
    return paths


def _kinds(matrix: compare.Matrix) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for finding in matrix.findings:
        found.setdefault(str(finding["kind"]), []).append(finding)
    return found


def test_findings_name_version_edition_and_availability_differences(reports: list[Path]) -> None:
    """A clause that passes on 3.9 and fails on 3.12, a new class, and a 2.4-text failure."""
    matrix = compare.build_matrix(compare.load_reports(reports))
    kinds = _kinds(matrix)
    (difference,) = kinds["version-difference"]
    assert difference["clause"] == "server.x.y"
    assert difference["outcomes"] == {"3.9": "passed", "3.12": "failed"}
    assert difference["detail"] == "observed 1, expected 2"
    (availability,) = kinds["target-availability"]
    assert availability["target"] == "m:New"
    (classic,) = kinds["classic-vs-today"]
    assert (classic["clause"], classic["detail"]) == ("server.old.z", "prints to stderr")
    assert [run.label for run in matrix.runs] == ["3.9/current", "3.12/current", "3.12/classic"]


def test_markdown_has_rates_findings_and_clause_tables(reports: list[Path]) -> None:
    """The Markdown page has the per-class rates, the findings and a clause table per edition."""
    text = compare.markdown(compare.build_matrix(compare.load_reports(reports)))
    assert "| `m:TCP` | 50% | 50% | 50% |" in text
    assert "| `m:New` | — | 50% | — |" in text
    assert "### Differences between Python versions (1)" in text
    assert "| `server.x.y` | pass 1/1 | **FAIL 1/2** |" in text
    assert "## Clauses x Python (classic edition)" in text


def test_command_writes_json_and_markdown(reports: list[Path], tmp_path: Path) -> None:
    """The command writes both files; the JSON names its format and every clause."""
    out_json, out_md = tmp_path / "m.json", tmp_path / "m.md"
    code = compare.main([*map(str, reports), "--json", str(out_json), "--markdown", str(out_md)])
    assert code == 0
    doc = cast("dict[str, object]", json.loads(out_json.read_text(encoding="utf-8")))
    assert doc["format"] == compare.FORMAT
    ids = {cast("dict[str, object]", c)["id"] for c in cast("list[object]", doc["clauses"])}
    assert ids == {"server.x.y", "server.x.z", "server.old.z"}
    assert out_md.read_text(encoding="utf-8").startswith("# Conformance matrix")


def test_command_rejects_a_file_that_is_not_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that is not a conformance report exits 2 with one line naming it."""
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"format": "other"}', encoding="utf-8")
    assert compare.main([str(bogus)]) == 2
    err = capsys.readouterr().err
    assert f"{bogus}: not a {REPORT_FORMAT} report" in err
    assert len(err.strip().splitlines()) == 1


def _verdict(python: str, target: str, outcome: str) -> findings.Verdict:
    return findings.Verdict("current", python, target, "server.x.y", "s", "t", outcome, "why")


def test_findings_group_by_subject_and_need_a_failure() -> None:
    """Grouped by implementation, two classes fold into one finding; blocked is no finding."""
    verdicts = [
        _verdict("3.9", "m:A", "failed"),
        _verdict("3.9", "m:B", "passed"),
        _verdict("3.12", "m:A", "failed"),
        _verdict("3.12", "m:B", "passed"),
        _verdict("3.12", "n:C", "blocked"),
    ]
    grouped = findings.findings(verdicts, subject=lambda v: findings.implementation_of(v.target))
    (finding, availability) = grouped
    assert (availability.kind, availability.subject) == ("target-availability", "n:C")
    assert (finding.kind, finding.subject) == ("deviation", "m")
    assert finding.by_python == {"3.9": "failed", "3.12": "failed"}
    assert [v.target for v in finding.problems] == ["m:A", "m:A"]
    by_target = findings.findings(verdicts)
    assert {(f.kind, f.subject) for f in by_target} == {
        ("deviation", "m:A"),
        ("target-availability", "n:C"),
    }


def test_most_serious_follows_the_outcome_order() -> None:
    """Folding uses the one severity order of records.OUTCOMES."""
    assert findings.most_serious(["passed", "blocked", "skipped"]) == "blocked"
    assert findings.most_serious(["not-run", "xfailed"]) == "xfailed"
    assert findings.most_serious(["unknown", "not-applicable"]) == "not-applicable"
    assert findings.most_serious([]) == ""

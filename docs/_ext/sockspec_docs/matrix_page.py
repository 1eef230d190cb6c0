"""The conformance matrix page, generated from what ``make matrix`` wrote."""

from __future__ import annotations

import json
from pathlib import Path

from sockspec.spec.catalogue import Catalogue

from .rst import escape, list_table, verdict

NOT_RUN = (
    ".. note::\n\n"
    "   **The matrix has not been run** on the machine that built this site:\n"
    "   ``matrix/matrix.json`` does not exist. Run ``make matrix``, then ``make docs``.\n"
)


def matrix_rst(matrix_dir: Path, catalogue: Catalogue) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    summary = matrix_dir / "matrix.json"
    if not summary.is_file():
        return NOT_RUN, [summary]
    runs = json.loads(summary.read_text(encoding="utf-8"))
    return _versions_rst(runs), [summary]


def _versions_rst(runs: object) -> str:
    steps = ("install", "tests", "conformance")
    rows: list[list[str]] = []
    for run in runs if isinstance(runs, list) else []:  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(run, dict):
            continue
        cells = [escape(str(run.get("version", "?")))]  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
        got = run.get("steps", {})  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
        for step in steps:
            outcome = got.get(step) if isinstance(got, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            if not isinstance(outcome, dict):
                cells.append(verdict("none", "not run"))
            else:
                seconds = outcome.get("seconds", 0.0)  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
                label = "pass" if outcome.get("ok") else "fail"  # pyright: ignore[reportUnknownMemberType]
                cells.append(verdict(label, f"{label} ({float(seconds):.1f} s)"))  # pyright: ignore[reportUnknownArgumentType]
        rows.append(cells)
    if not rows:
        return "``matrix/matrix.json`` lists no interpreter.\n"
    return list_table(("CPython", *steps), rows, classes=("sockspec-matrix",))

"""The reproducers of "Where the stdlib departs from its documentation" still reproduce.

Each script in ``docs/examples/departures/`` runs with this interpreter's stdlib and must
print ``departs: ...``: when a future CPython fixes a departure, this test says so and
the page (and the xfail entry or narrowed clause) can be revisited.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from sockspec.conformance.xfails import parse_xfail_file
from sockspec.spec import load_catalogue

REPOSITORY = Path(__file__).resolve().parents[2]
FOLDER = REPOSITORY / "docs" / "examples" / "departures"
STDLIB_XFAIL = REPOSITORY / "conformance" / "xfails" / "stdlib.xfail"
SCRIPTS = sorted(FOLDER.glob("*.py"))
#: A reproducer runs a server or two on loopback for well under a second.
SCRIPT_DEADLINE = 60


def _clauses_of(script: Path) -> list[str]:
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    line = next((ln for ln in docstring.splitlines() if ln.startswith("Clauses:")), "")
    return line.removeprefix("Clauses:").split()


def test_there_are_reproducers() -> None:
    """The page has findings to show (the folder is not empty)."""
    assert len(SCRIPTS) >= 4, f"expected the reproducers in {FOLDER}; found {len(SCRIPTS)}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_reproducer_names_known_clauses(script: Path) -> None:
    """Each reproducer's docstring names at least one clause, all of them in the catalogue."""
    clauses = _clauses_of(script)
    catalogue = load_catalogue()
    assert clauses, f"{script.name}: no 'Clauses:' line in the docstring"
    unknown = [clause_id for clause_id in clauses if clause_id not in catalogue]
    assert not unknown, f"{script.name} names clauses not in the catalogue: {unknown}"


def test_every_stdlib_xfail_has_a_reproducer() -> None:
    """Each deviation in stdlib.xfail is shown on the page by some reproducer."""
    named = {clause_id for script in SCRIPTS for clause_id in _clauses_of(script)}
    shown = [
        entry
        for entry in parse_xfail_file(str(STDLIB_XFAIL))
        if not any(fnmatchcase(clause_id, entry.clause_glob) for clause_id in named)
    ]
    assert not shown, f"xfail entries with no reproducer: {[entry.label for entry in shown]}"


@pytest.mark.skipif(sys.platform == "win32", reason="the reproducers use os.fork and AF_INET")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_reproducer_shows_the_departure(script: Path) -> None:
    """The reproducer, run with this interpreter's stdlib, observes the departure."""
    finished = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=SCRIPT_DEADLINE,
        check=False,
    )
    assert finished.returncode == 0, f"{script.name} failed: {finished.stderr[-500:]}"
    last = finished.stdout.strip().splitlines()[-1] if finished.stdout.strip() else ""
    assert last.startswith("departs:"), f"{script.name} printed {last!r}, not 'departs: ...'"

"""nox sessions of the interpreter matrix (``make matrix``); the plan is in ``tests/matrix.py``.

``nox -s matrix`` runs one session per Python found on the machine (``nox -l`` lists
them: ``matrix(3.9)`` ... ``matrix(pypy3.9)``), each in its own virtual environment with
sockspec installed from this checkout; ``nox -s matrix_summary`` then writes
``matrix/matrix.json`` and the comparison of the conformance reports.  The output
directory is ``matrix`` unless ``SOCKSPEC_MATRIX_OUT`` names another one.
``make matrix`` runs these sessions two at a time instead (``tests/run_matrix.py``), each
installing the wheel named by ``SOCKSPEC_MATRIX_WHEEL``, built once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The plan lives with the tests, importable once the repository root is on the path.
from tests import matrix

# Never fetch an interpreter: the matrix is about the Pythons this machine has.
nox.options.download_python = "never"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["matrix", "matrix_summary"]

INTERPRETERS = matrix.discover()
OUT = (matrix.ROOT / os.environ.get("SOCKSPEC_MATRIX_OUT", "matrix")).resolve()


def _out() -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


@nox.session(name="matrix")
@nox.parametrize(
    "python",
    [interpreter.executable for interpreter in INTERPRETERS],
    ids=[interpreter.label for interpreter in INTERPRETERS],
)
def matrix_session(session: nox.Session) -> None:
    """Tests and conformance runs under one interpreter, in a fresh venv."""
    found = next(i for i in INTERPRETERS if i.executable == session.python)
    out = _out()
    (out / f"steps-{found.label}.json").unlink(missing_ok=True)
    # make matrix (tests/run_matrix.py) builds the wheel once for every session.
    source = os.environ.get("SOCKSPEC_MATRIX_WHEEL") or str(matrix.ROOT)
    session.install(source, *matrix.TEST_EXTRAS)
    with_tests = matrix.runs_tests(found, INTERPRETERS)
    result = matrix.run_steps(found, Path(session.bin), out, with_tests=with_tests)
    matrix.write_steps(result, out)
    for line in matrix.table([result]):
        session.log(line)
    if not result.ok:
        session.error(
            f"{found.label}: " + "; ".join(s.detail for s in result.steps.values() if not s.ok)
        )


@nox.session(python=False)
def matrix_summary(session: nox.Session) -> None:
    """matrix.json for the docs, the comparison of every report, and the version x step table."""
    out = _out()
    results = matrix.read_steps(out)
    if not results:
        session.error(f"no interpreter results in {matrix.shown(out)} (run the matrix sessions)")
    summary = matrix.write_summary(results, out)
    reports = sorted(out.glob("conformance-*-*.json"))
    if reports:
        session.run(
            sys.executable,
            "-m",
            "sockspec.conformance.compare",
            *map(str, reports),
            "--json",
            str(out / "conformance-matrix.json"),
            "--markdown",
            str(out / "conformance-matrix.md"),
        )
    for line in matrix.table(results):
        print(line)
    print(
        f"wrote {matrix.shown(summary)}" + (" and conformance-matrix.md/.json" if reports else "")
    )
    if not all(result.ok for result in results):
        session.error("an interpreter failed a step (table above)")

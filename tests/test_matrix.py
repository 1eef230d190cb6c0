"""The matrix plan (tests/matrix.py) and its runner (tests/run_matrix.py), with stand-in tools.

The real steps need a venv per interpreter (``make matrix``); here ``python`` and
``sockspec-conformance`` are small scripts that log their arguments and write the report.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from tests import matrix, run_matrix

#: Writes the --json report unless told not to, prints one line, exits with $FAKE_EXIT_<edition>.
FAKE_CONFORMANCE = """\
import json, os, sys
args = sys.argv[1:]
edition = args[args.index("--edition") + 1] if "--edition" in args else "impl"
print("fake conformance", edition)
if "--json" in args and not os.environ.get("FAKE_NO_REPORT_" + edition):
    open(args[args.index("--json") + 1], "w").write(json.dumps({"edition": edition}))
sys.exit(int(os.environ.get("FAKE_EXIT_" + edition, "0")))
"""
FAKE_PYTHON = "import sys\nprint('fake tests', *sys.argv[1:])\n"


def _tool(folder: Path, name: str, source: str) -> None:
    script = folder / name
    script.write_text(f"#!{sys.executable}\n{source}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    _tool(folder, "python", FAKE_PYTHON)
    _tool(folder, "sockspec-conformance", FAKE_CONFORMANCE)
    return folder


CPYTHON = matrix.Interpreter("CPython", (3, 11), sys.executable)


@pytest.mark.parametrize("concurrent", [True, False])
def test_steps_write_one_log_in_table_order(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, concurrent: bool
) -> None:
    """Every step runs, classic's exit 1 is a finding, and the log keeps the STEPS order."""
    monkeypatch.setenv("FAKE_EXIT_classic", "1")
    result = matrix.run_steps(CPYTHON, bin_dir, tmp_path, concurrent=concurrent)
    assert list(result.steps) == list(matrix.STEPS)
    assert result.ok, result.steps
    assert result.steps["classic"].detail == "findings: conformance-3.11-classic.json"
    log = (tmp_path / "log-3.11.txt").read_text(encoding="utf-8")
    lines = ["fake tests"] + [f"fake conformance {name}" for name in ("current", "classic", "impl")]
    order = [log.index(line) for line in lines]
    assert order == sorted(order), log
    assert not list(tmp_path.glob("*.part")), "a step's own log was left behind"


def test_failed_step_names_the_shared_log(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing current edition fails the interpreter and points at log-<label>.txt."""
    monkeypatch.setenv("FAKE_EXIT_current", "1")
    result = matrix.run_steps(CPYTHON, bin_dir, tmp_path, with_tests=False)
    assert "tests" not in result.steps
    assert not result.ok
    detail = result.steps["conformance"].detail
    assert detail == f"conformance (current): exit 1, see {matrix.shown(tmp_path / 'log-3.11.txt')}"


def test_missing_report_fails_even_the_classic_edition(
    bin_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit 1 under the 2.4 text is a finding only when the report was written."""
    monkeypatch.setenv("FAKE_NO_REPORT_classic", "1")
    result = matrix.run_steps(CPYTHON, bin_dir, tmp_path, with_tests=False)
    assert not result.steps["classic"].ok
    assert "no report written" in result.steps["classic"].detail
    written = json.loads((tmp_path / "conformance-3.11-current.json").read_text("utf-8"))
    assert written == {"edition": "current"}


def test_order_puts_the_longest_sessions_first() -> None:
    """PyPy, then the CPythons that run the tests (oldest, newest), then the middle ones."""
    found = [
        matrix.Interpreter("CPython", (3, minor), f"python3.{minor}") for minor in (9, 10, 11, 13)
    ] + [matrix.Interpreter("PyPy", (3, 9), "pypy3")]
    labels = [i.label for i in run_matrix.order(found)]
    assert labels == ["pypy3.9", "3.9", "3.13", "3.10", "3.11"]

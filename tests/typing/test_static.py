"""Static conformance: mypy and pyright accept and reject exactly what the cases pin.

Each file in ``cases/`` is checked by both checkers for a Python 3.9 and a
Python 3.13 target (one run per checker and target over all the cases).  A
line that must produce errors ends with a marker comment::

    x: spec.TCPServer = Broken()  # E: mypy[assignment] pyright[reportAssignmentType]
    server.allow_reuse_port  # E@3.9: mypy[attr-defined] pyright[reportAttributeAccessIssue]

``# E@<version>:`` limits the expectation to one target.  The test fails when
a pinned error is no longer reported *and* when anything is reported that is
not pinned, so every other line of every case is an acceptance test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
TARGETS = ("3.9", "3.13")
CHECKERS = ("mypy", "pyright")
RUN_TIMEOUT = 600.0

MARKER = re.compile(r"#\s*E(?:@(?P<target>\d+\.\d+))?:(?P<codes>[^#]*)")
CODE = re.compile(r"(?P<checker>mypy|pyright)\[(?P<code>[\w-]+)\]")

#: (case file name, line, error code)
Finding = Tuple[str, int, str]


def case_files() -> List[Path]:
    return sorted(CASES.glob("*.py"))


def expected_findings(checker: str, target: str) -> Set[Finding]:
    """The errors the case files pin for ``checker`` on ``target``."""
    expected: Set[Finding] = set()
    for path in case_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for marker in MARKER.finditer(line):
                if marker.group("target") not in (None, target):
                    continue
                for code in CODE.finditer(marker.group("codes")):
                    if code.group("checker") == checker:
                        expected.add((path.name, number, code.group("code")))
    return expected


def tool(name: str) -> Optional[Path]:
    path = Path(sys.executable).parent / name
    return path if path.exists() else None


def run(command: List[str]) -> str:
    completed = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if completed.returncode not in (0, 1):
        raise AssertionError(f"{command[0]} crashed ({completed.returncode}): {completed.stderr}")
    return completed.stdout


def mypy_findings(executable: Path, target: str, workdir: Path) -> Set[Finding]:
    del workdir  # mypy reads the project's configuration; the cases are named explicitly
    output = run(
        [
            str(executable),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--python-version",
            target,
            "--output",
            "json",
            *(str(path) for path in case_files()),
        ]
    )
    found: Set[Finding] = set()
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("severity") != "error":
            continue
        name = Path(str(record["file"])).name
        found.add((name, int(record["line"]), str(record.get("code") or "misc")))
    return found


def pyright_findings(executable: Path, target: str, workdir: Path) -> Set[Finding]:
    # The project's own pyright configuration excludes the cases (they hold
    # deliberate errors), so they get a configuration of their own: strict, as
    # the project's, and resolving imports through this interpreter.
    config = workdir / "pyrightconfig.json"
    settings = {
        # pyright ignores absolute paths in "include".
        "include": [os.path.relpath(path, workdir) for path in case_files()],
        "typeCheckingMode": "strict",
        "pythonVersion": target,
    }
    config.write_text(json.dumps(settings), encoding="utf-8")
    output = run(
        [
            str(executable),
            "--outputjson",
            "--project",
            str(config),
            "--pythonpath",
            sys.executable,
        ]
    )
    report = json.loads(output)
    found: Set[Finding] = set()
    for diagnostic in report.get("generalDiagnostics", []):
        if diagnostic.get("severity") not in ("error", "warning"):
            continue
        name = Path(str(diagnostic["file"])).name
        line = int(diagnostic["range"]["start"]["line"]) + 1
        found.add((name, line, str(diagnostic.get("rule") or "error")))
    return found


FINDERS = {"mypy": mypy_findings, "pyright": pyright_findings}


def describe(findings: Set[Finding]) -> str:
    return "\n".join(f"  {name}:{line}: {code}" for name, line, code in sorted(findings))


@pytest.mark.static
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("checker", CHECKERS)
def test_checker_reports_exactly_the_pinned_errors(
    checker: str, target: str, tmp_path: Path
) -> None:
    """The checker reports every pinned error of the cases, and nothing else, for the target."""
    executable = tool(checker)
    if executable is None:
        pytest.skip(f"{checker} is not installed next to this interpreter (the dev extra)")
    found = FINDERS[checker](executable, target, tmp_path)
    expected = expected_findings(checker, target)
    missing = expected - found
    unexpected = found - expected
    mismatch = missing | unexpected
    assert not mismatch, (
        f"{checker} --python-version {target}\n"
        f"pinned but not reported:\n{describe(missing)}\n"
        f"reported but not pinned:\n{describe(unexpected)}"
    )


def test_markers_parse() -> None:
    """The marker syntax yields per-checker, per-target expectations."""
    sample = "x = 1  # E@3.9: mypy[attr-defined] pyright[reportAttributeAccessIssue]"
    marker = MARKER.search(sample)
    assert marker is not None
    assert marker.group("target") == "3.9"
    codes: Dict[str, str] = {
        code.group("checker"): code.group("code") for code in CODE.finditer(marker.group("codes"))
    }
    assert codes == {"mypy": "attr-defined", "pyright": "reportAttributeAccessIssue"}


def test_every_case_file_pins_or_accepts() -> None:
    """Reject cases pin at least one error per checker and target; accept cases pin none."""
    for target in TARGETS:
        for checker in CHECKERS:
            pinned = {name for name, _, _ in expected_findings(checker, target)}
            rejecting = {path.name for path in case_files() if path.name.startswith("reject_")}
            accepting = {path.name for path in case_files() if path.name.startswith("accept_")}
            assert rejecting <= pinned, f"{checker} {target}: reject case without pinned errors"
            assert not accepting & pinned, f"{checker} {target}: accept case pins an error"


def test_cases_do_not_silence_checkers() -> None:
    """No case hides an error with a type: ignore or pyright: ignore comment."""
    for path in case_files():
        text = path.read_text(encoding="utf-8")
        assert "type: ignore" not in text, path.name
        assert "pyright: ignore" not in text, path.name

"""The case files' markers, and how each type checker is run over the cases and read back.

A line of a case that must produce errors ends with a marker comment naming, per
checker, the error codes it must report there::

    x: spec.TCPServer = Broken()  # E: mypy[assignment] pyright[reportAssignmentType]
    server.allow_reuse_port  # E@3.9: mypy[attr-defined] pyright[reportAttributeAccessIssue]

``# E@<version>:`` limits the expectation to one target.  Every other line of
every case is an acceptance test.  The checkers are mypy, pyright, pyrefly, ty
and zuban; ``test_static.py`` (``make test``) runs the first two, ``run_checkers``
(``make typing``) all five.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
#: Each checker fault recorded as a deviation (or that a pinned marker records), shown in
#: a file without sockspec: the faulty checker must report it, every other checker not.
REPRODUCERS = CASES / "reproducers"
TARGETS = ("3.9", "3.13")
CHECKER_NAMES = ("mypy", "pyright", "pyrefly", "ty", "zuban")
RUN_TIMEOUT = 600.0

MARKER = re.compile(r"#\s*E(?:@(?P<target>\d+\.\d+))?:(?P<codes>[^#]*)")
CODE = re.compile(r"(?P<checker>mypy|pyright|pyrefly|ty|zuban)\[(?P<code>[\w-]+)\]")

#: (case file name, line, error code)
Finding = Tuple[str, int, str]


class CheckerCrashed(RuntimeError):
    """The checker exited as it does when it could not check at all (not: found errors)."""


def case_files(folder: Path = CASES) -> List[Path]:
    """Every case file (or, given ``REPRODUCERS``, every reproducer), in name order."""
    return sorted(folder.glob("*.py"))


def expected_findings(
    checker: str, target: str, files: Optional[Sequence[Path]] = None
) -> Set[Finding]:
    """The errors ``files`` (by default the cases) pin for ``checker`` on ``target``."""
    expected: Set[Finding] = set()
    for path in case_files() if files is None else files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for marker in MARKER.finditer(line):
                if marker.group("target") not in (None, target):
                    continue
                for code in CODE.finditer(marker.group("codes")):
                    if code.group("checker") == checker:
                        expected.add((path.name, number, code.group("code")))
    return expected


def run(command: List[str], ok_codes: Tuple[int, ...] = (0, 1)) -> str:
    """Run a checker from the repository root and return its standard output."""
    completed = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    if completed.returncode not in ok_codes:
        raise CheckerCrashed(
            f"{Path(command[0]).name} exited {completed.returncode}: "
            f"{(completed.stderr or completed.stdout).strip()[-2000:]}"
        )
    return completed.stdout


@dataclass(frozen=True)
class Run:
    """One checker run: the executable, the target, the interpreter whose packages it sees,
    a scratch folder and the files to check."""

    executable: Path
    target: str
    python: Path
    workdir: Path
    files: Tuple[Path, ...] = field(default_factory=lambda: tuple(case_files()))

    def mypy_options(self) -> List[str]:
        """What mypy and zuban are both given: the project's configuration, target, packages."""
        return [
            *("--config-file", str(ROOT / "pyproject.toml")),
            *("--python-version", self.target),
            *("--python-executable", str(self.python)),
        ]


def mypy_findings(how: Run) -> Set[Finding]:
    """mypy with the project's configuration: JSON lines, one per error."""
    output = run(
        [
            str(how.executable),
            *how.mypy_options(),
            *("--output", "json"),
            *(str(path) for path in how.files),
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


def pyright_findings(how: Run) -> Set[Finding]:
    """pyright, strict as the project's own configuration, errors and warnings."""
    # The project's pyright configuration excludes the cases (they hold deliberate
    # errors), so they get a configuration of their own.
    config = how.workdir / "pyrightconfig.json"
    settings = {
        # pyright ignores absolute paths in "include".
        "include": [os.path.relpath(path, how.workdir) for path in how.files],
        "typeCheckingMode": "strict",
        "pythonVersion": how.target,
    }
    config.write_text(json.dumps(settings), encoding="utf-8")
    output = run(
        [
            str(how.executable),
            "--outputjson",
            "--project",
            str(config),
            "--pythonpath",
            str(how.python),
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


def pyrefly_findings(how: Run) -> Set[Finding]:
    """pyrefly with its ``default`` preset: the ``basic`` one it uses unconfigured reports nothing.

    Measured with pyrefly 1.4.1: under ``basic`` even ``x: int = "a"`` passes.
    """
    output = run(
        [
            str(how.executable),
            "check",
            "--preset",
            "default",
            "--python-version",
            how.target,
            "--python-interpreter-path",
            str(how.python),
            "--output-format",
            "json",
            *(str(path) for path in how.files),
        ]
    )
    found: Set[Finding] = set()
    for error in json.loads(output).get("errors", []):
        if error.get("severity") not in ("error", "warning"):
            continue
        found.add((Path(str(error["path"])).name, int(error["line"]), str(error["name"])))
    return found


def ty_findings(how: Run) -> Set[Finding]:
    """ty, in GitLab's code-quality JSON (its one machine-readable format)."""
    output = run(
        [
            str(how.executable),
            "check",
            "--python",
            str(how.python),
            "--python-version",
            how.target,
            "--output-format",
            "gitlab",
            *(str(path) for path in how.files),
        ]
    )
    found: Set[Finding] = set()
    for issue in json.loads(output or "[]"):
        if issue.get("severity") == "info":
            continue
        location = issue["location"]
        line = int(location["positions"]["begin"]["line"])
        found.add((Path(str(location["path"])).name, line, str(issue["check_name"])))
    return found


ZUBAN_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*?(?:\s\s\[(?P<code>[\w-]+)\])?$")


def zuban_findings(how: Run) -> Set[Finding]:
    """zuban as ``zuban check`` runs it (its default mode), with the project's configuration.

    The default mode, not ``zuban mypy``: it is what users run, and it binds a
    class-level ``Callable`` like a method, which the mypy mode does not (the
    ``Invalid self argument`` errors sockspec.impl once had were of that mode).
    """
    output = run(
        [
            str(how.executable),
            "check",
            *how.mypy_options(),
            *(str(path) for path in how.files),
        ]
    )
    found: Set[Finding] = set()
    for line in output.splitlines():
        match = ZUBAN_LINE.match(line)
        if match:
            name = Path(match.group("file")).name
            found.add((name, int(match.group("line")), match.group("code") or "misc"))
    return found


FINDERS: Dict[str, Callable[[Run], Set[Finding]]] = {
    "mypy": mypy_findings,
    "pyright": pyright_findings,
    "pyrefly": pyrefly_findings,
    "ty": ty_findings,
    "zuban": zuban_findings,
}


def describe(findings: Set[Finding]) -> str:
    """One indented ``case:line: code`` line per finding, sorted."""
    return "\n".join(f"  {name}:{line}: {code}" for name, line, code in sorted(findings))

"""``make typing``: the cases under five type checkers, each for the 3.9 and 3.13 targets.

mypy, pyright and pyrefly must report exactly what the markers pin.  For ty and
zuban a difference may instead be a known deviation of the checker, recorded
with a one-line reason in ``deviations/<checker>.json`` and shown by a reproducer
in ``cases/reproducers`` that does not use sockspec; any other difference, and any
recorded deviation that no longer happens, fails the run.  Every checker must give
the reproducers exactly their markers too: the faulty checker errs there, the others
accept the same code, which is what makes the fault the checker's.  The verdict
of each case, checker and target is written to ``results.json``, which the
documentation renders as the "Type checkers" table.

Run from the repository root: ``.venv-typing/bin/python -m tests.typing.run_checkers``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from typing_extensions import Literal, TypedDict

from tests.typing.checkers import (
    FINDERS,
    REPRODUCERS,
    ROOT,
    TARGETS,
    CheckerCrashed,
    Finding,
    Run,
    case_files,
    expected_findings,
)

HERE = Path(__file__).resolve().parent
DEVIATIONS = HERE / "deviations"
RESULTS = HERE / "results.json"
FORMAT = "sockspec-typing/1"
DESCRIPTION = "Run the typing cases under five type checkers and write the results."
#: The checkers whose verdicts must match the markers exactly: no deviation file.
EXACT = frozenset({"mypy", "pyright", "pyrefly"})

Verdict = Literal["pass", "deviation", "fail", "not-run"]


class Checker(NamedTuple):
    """One checker for one target, and where its executable lives in the typing venv."""

    name: str
    target: str
    executable: str

    def path(self, venv: Path) -> Path:
        return venv / self.executable


#: mypy 2.x cannot target 3.9, mypy 1.x is the project's own (``make test``): 1.20.2
#: checks the 3.9 target and 2.x, from its own venv, the 3.13 one.
CHECKERS: Tuple[Checker, ...] = (
    Checker("mypy", "3.9", "bin/mypy"),
    Checker("mypy", "3.13", "mypy2/bin/mypy"),
    *(
        Checker(name, target, f"bin/{name}")
        for name in ("pyright", "pyrefly", "ty", "zuban")
        for target in TARGETS
    ),
)


class Deviation(TypedDict):
    """A recorded checker fault: on this line of this case the checker errs."""

    case: str
    line: int
    targets: List[str]
    reason: str
    #: The file of ``cases/reproducers`` that shows the fault without sockspec.
    reproducer: str


class CaseResult(TypedDict):
    verdict: Verdict
    notes: List[str]


class RunResult(TypedDict):
    checker: str
    version: str
    target: str
    seconds: float
    error: Optional[str]
    cases: Dict[str, CaseResult]
    #: The reproducers' verdicts: each must be a pass (no deviation applies to them).
    reproducers: Dict[str, CaseResult]


@dataclass
class Outcome:
    """What one checker run showed, case by case, and what in it nothing explains."""

    result: RunResult
    unexplained: List[str] = field(default_factory=lambda: [])


def load_deviations(name: str) -> List[Deviation]:
    """The recorded deviations of one checker (none for the exact ones)."""
    path = DEVIATIONS / f"{name}.json"
    if not path.exists():
        return []
    if name in EXACT:
        raise SystemExit(f"make typing: {path.name}: {name} must match the markers exactly")
    recorded: List[Deviation] = json.loads(path.read_text(encoding="utf-8"))["deviations"]
    return recorded


def version_of(executable: Path) -> str:
    """The version the checker reports: its ``--version`` output's last word."""
    completed = subprocess.run(
        [str(executable), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    words = (completed.stdout or completed.stderr).split()
    # mypy says "mypy 1.20.2 (compiled: yes)"; the others "name X.Y.Z".
    return words[1] if len(words) > 1 else "unknown"


def judge(
    checker: Checker,
    found: Set[Finding],
    deviations: Sequence[Deviation],
    files: Optional[Sequence[Path]] = None,
) -> Tuple[Dict[str, CaseResult], List[str]]:
    """Each file's verdict (the cases by default), and the lines nothing explains."""
    files = case_files() if files is None else files
    expected = expected_findings(checker.name, checker.target, files)
    wrong = (expected - found) | (found - expected)
    applicable = [d for d in deviations if not d["targets"] or checker.target in d["targets"]]
    used: Set[Tuple[str, int]] = set()
    cases: Dict[str, CaseResult] = {}
    unexplained: List[str] = []
    for path in files:
        notes: List[str] = []
        verdict: Verdict = "pass"
        lines = sorted({line for name, line, _ in wrong if name == path.name})
        for line in lines:
            codes = sorted(code for name, at, code in wrong if (name, at) == (path.name, line))
            pinned = any((path.name, line, code) in expected for code in codes)
            what = "pinned but not reported" if pinned else "reported but not pinned"
            reason = next(
                (
                    f"{d['reason']} (reproducer: {d['reproducer']})"
                    for d in applicable
                    if (d["case"], d["line"]) == (path.name, line)
                ),
                None,
            )
            if reason is None:
                verdict = "fail"
                unexplained.append(f"{path.name}:{line}: {', '.join(codes)} ({what})")
                notes.append(f"line {line}: {', '.join(codes)} ({what}), not recorded")
            else:
                used.add((path.name, line))
                verdict = "deviation" if verdict == "pass" else verdict
                notes.append(f"line {line}: {reason}")
        cases[path.name] = {"verdict": verdict, "notes": notes}
    for stale in applicable:
        if (stale["case"], stale["line"]) not in used:
            unexplained.append(
                f"{stale['case']}:{stale['line']}: recorded deviation no longer happens"
            )
    return cases, unexplained


def check(checker: Checker, venv: Path, workdir: Path) -> Outcome:
    """Run one checker for one target and judge what it reports."""
    executable = checker.path(venv)
    result: RunResult = {
        "checker": checker.name,
        "version": "not installed",
        "target": checker.target,
        "seconds": 0.0,
        "error": None,
        "cases": {},
        "reproducers": {},
    }
    not_run: Dict[str, CaseResult] = {
        p.name: {"verdict": "not-run", "notes": []} for p in case_files()
    }
    reproducers = tuple(case_files(REPRODUCERS))
    if not executable.exists():
        result["error"] = f"{executable} does not exist (make typing installs it)"
        result["cases"] = not_run
        return Outcome(result, [f"{checker.name} {checker.target}: {result['error']}"])
    result["version"] = version_of(executable)
    started = time.perf_counter()
    python = venv / "bin/python"
    try:
        found = FINDERS[checker.name](Run(executable, checker.target, python, workdir))
        shown = FINDERS[checker.name](
            Run(executable, checker.target, python, workdir, files=reproducers)
        )
    except (CheckerCrashed, subprocess.TimeoutExpired, ValueError) as error:
        # The checker could not check: the cases are not run, not failed.
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["error"] = str(error).splitlines()[0] if str(error) else type(error).__name__
        result["cases"] = not_run
        return Outcome(result, [f"{checker.name} {checker.target}: {result['error']}"])
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["cases"], unexplained = judge(checker, found, load_deviations(checker.name))
    result["reproducers"], wrong = judge(checker, shown, [], reproducers)
    return Outcome(result, unexplained + [f"reproducers/{line}" for line in wrong])


def counted(cases: Dict[str, CaseResult]) -> str:
    """``8 pass, 1 deviation``: how many files got each verdict."""
    counts: Dict[str, int] = {}
    for case in cases.values():
        counts[case["verdict"]] = counts.get(case["verdict"], 0) + 1
    return ", ".join(
        f"{counts[v]} {v}" for v in ("pass", "deviation", "fail", "not-run") if v in counts
    )


def summary(result: RunResult) -> str:
    """One line: the checker, its version, the target, the verdict counts and the time."""
    shown = counted(result["reproducers"]) or "not run"
    return (
        f"{result['checker']} {result['version']} --python-version {result['target']}: "
        f"{len(result['cases'])} cases: {counted(result['cases'])}; "
        f"{len(result['reproducers'])} reproducers: {shown} ({result['seconds']:.1f} s)"
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run every checker, print one line per run, write the results file."""
    parser = argparse.ArgumentParser(prog="make typing", description=DESCRIPTION)
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-typing")
    parser.add_argument("--json", type=Path, default=RESULTS, help="results file to write")
    parser.add_argument("--only", action="append", default=[], help="run only this checker")
    options = parser.parse_args(argv)
    selected = [c for c in CHECKERS if not options.only or c.name in options.only]
    if not selected:
        print(f"make typing: no checker named {', '.join(options.only)}", file=sys.stderr)
        return 2
    outcomes: List[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="sockspec-typing-") as scratch:
        for checker in selected:
            workdir = Path(scratch) / f"{checker.name}-{checker.target}"
            workdir.mkdir()
            outcome = check(checker, options.venv.resolve(), workdir)
            outcomes.append(outcome)
            print(summary(outcome.result), flush=True)
            for problem in outcome.unexplained:
                print(f"  {problem}", flush=True)
    report = {
        "format": FORMAT,
        "python": platform.python_version(),
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cases": [path.name for path in case_files()],
        "runs": [outcome.result for outcome in outcomes],
    }
    options.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = sum(len(outcome.unexplained) for outcome in outcomes)
    verdict = "FAILED" if failed else "PASSED"
    print(f"make typing: {verdict}: {failed} unexplained, results in {options.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

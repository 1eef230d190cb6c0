"""Suite speed: wall time and checks per second of a conformance run per target.

The reference point is CPython's own ``test_socketserver`` (run with unittest, which enables
its network tests) under the same interpreter. Both are timed from process start to exit, so
interpreter start-up is in every number.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from sockspec.conformance.records import REPORT_FORMAT

from .control import ROOT, child_environment
from .results import Row

SECTION = "suite"
REFERENCE_CASE = "reference"
REFERENCE_TARGET = "CPython test_socketserver"
REFERENCE = f"{REFERENCE_CASE}/{REFERENCE_TARGET}"  # an absolute baseline for add_ratios
RUN_TIMEOUT = 120.0
EXECUTED = {"passed", "failed", "error", "xfailed", "xpassed"}

_RAN = re.compile(r"^Ran (\d+) tests? in", re.MULTILINE)


def _timed(command: Sequence[str]) -> Tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run(
        list(command),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_environment(),
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return time.perf_counter() - started, done


def conformance_command() -> List[str]:
    """The ``sockspec-conformance`` script of this interpreter's environment, else ``-m``."""
    script = Path(sysconfig.get_path("scripts")) / "sockspec-conformance"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "sockspec.conformance"]


def _reference_run() -> Tuple[float, int]:
    seconds, done = _timed([sys.executable, "-m", "unittest", "test.test_socketserver"])
    match = _RAN.search(done.stderr)
    if done.returncode != 0 or match is None:
        tail = done.stderr.strip()[-300:]
        raise RuntimeError(f"test_socketserver did not run cleanly: {tail}")
    return seconds, int(match.group(1))


def count_checks(report: Any) -> int:
    """Distinct checks the conformance JSON report says were executed (not skipped)."""
    executed: set[str] = set()
    for target in report.get("targets", []):
        for clause in target.get("clauses", []):
            if clause.get("outcome") in EXECUTED:
                executed.update(str(check) for check in clause.get("checks", []))
    return len(executed)


def _conformance_run(target: str) -> Tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="sockspec-bench-") as scratch:
        report_path = Path(scratch) / "report.json"
        seconds, done = _timed([*conformance_command(), target, "--json", str(report_path)])
        if done.returncode not in (0, 1) or not report_path.exists():
            tail = (done.stderr.strip() or done.stdout.strip())[-300:]
            raise RuntimeError(f"exit {done.returncode}, no JSON report: {tail}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
    if report.get("format") != REPORT_FORMAT:
        raise RuntimeError(f"report format {report.get('format')!r}, expected {REPORT_FORMAT!r}")
    return seconds, count_checks(report)


def _rows(case: str, target: str, runs: Sequence[Tuple[float, int]]) -> List[Row]:
    # The reference's unittest tests count as its checks, so both rows share one metric name.
    return [
        Row(SECTION, case, target, "wall time", "s", [seconds for seconds, _ in runs]),
        Row(
            SECTION,
            case,
            target,
            "checks/s",
            "checks/s",
            [count / seconds for seconds, count in runs],
            higher_is_better=True,
        ),
        Row(
            SECTION,
            case,
            target,
            "checks run",
            "checks",
            [float(count) for _, count in runs],
            higher_is_better=True,
            shown=False,
        ),
    ]


def measure(
    targets: Sequence[Tuple[str, str, str]], repetitions: int, budget_seconds: float
) -> Tuple[List[Row], List[str]]:
    """Rows for the reference and each (case, target name, conformance target), plus notes.

    Repetitions go round the targets in turn (given in priority order). In the first round a
    run starts only if, at the pace of the slowest run so far, it ends within
    ``budget_seconds`` (targets left out are named in the notes); a later round starts only if
    it is expected to end within the budget, and then runs to the end, so every measured
    target gets the same number of runs.
    """
    started = time.monotonic()
    rows: List[Row] = []
    notes: List[str] = []
    reference: List[Tuple[float, int]] = []
    try:
        for _ in range(repetitions):
            reference.append(_reference_run())
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        notes.append(f"suite: no reference timing: {' '.join(str(error).split())}")
    if reference:
        rows += _rows(REFERENCE_CASE, REFERENCE_TARGET, reference)
    runs: Dict[str, List[Tuple[float, int]]] = {spec: [] for _, _, spec in targets}
    failed: Dict[str, str] = {}
    slowest = 0.0
    rounds = 0
    for repetition in range(repetitions):
        pending = [spec for _, _, spec in targets if spec not in failed]
        if repetition and time.monotonic() - started + slowest * len(pending) > budget_seconds:
            break
        for spec in pending:
            # The first round may leave low-priority targets out; a later round, once started,
            # runs to the end so that every target keeps the same number of runs.
            if not repetition and time.monotonic() - started + slowest > budget_seconds:
                break
            try:
                run = _conformance_run(spec)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                failed[spec] = " ".join(str(error).split())  # one line per note
                continue
            runs[spec].append(run)
            slowest = max(slowest, run[0])
        rounds = repetition + 1
    if rounds < repetitions:
        notes.append(
            f"suite: {rounds} of {repetitions} rounds fit the {budget_seconds:.0f} s budget"
        )
    cases = list(dict.fromkeys(case for case, _, _ in targets))
    for case, name, spec in sorted(targets, key=lambda target: cases.index(target[0])):
        if spec in failed:
            notes.append(f"suite: {spec}: a run failed: {failed[spec]}")
        if runs[spec]:
            rows += _rows(case, name, runs[spec])
        elif spec not in failed:
            notes.append(f"suite: {spec} not measured: no time left in the budget")
    return rows, notes

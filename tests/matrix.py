"""The interpreter matrix behind ``make matrix``: which Pythons, which steps, what is written.

``noxfile.py`` turns this into nox sessions: one ``matrix(<label>)`` session per
interpreter (nox makes its virtual environment and installs sockspec into it, non
editable), then ``matrix_summary``, which writes what the docs read.

Interpreters are discovered when the matrix runs, never hard-coded: the
``SOCKSPEC_PYTHONS`` environment variable (paths separated by ``os.pathsep``) if set,
else every ``pyenv`` version plus ``python3.N`` and ``pypy3`` commands on ``PATH``;
CPython 3.9 or newer, and PyPy 3.9 or newer.

Under each interpreter the steps are: the project's tests that need no type checker
(under the oldest and newest CPython and under PyPy: the middle versions would double CI's
time for little), the conformance suite on the stdlib's socketserver family (CONFORMANCE_TARGETS)
against the current documentation (the step fails if a clause fails) and against the
Python 2.4 text (its failures are findings, not a failed step), and ``sockspec.impl``
against the current documentation with no xfail file.  Each step's result goes to
``<out>/steps-<label>.json``; the summary gathers them into ``matrix.json`` and compares
the reports (``conformance-<label>-<edition>.json``) into ``conformance-matrix.md`` and
``conformance-matrix.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
MINIMUM = (3, 9)
#: What the tests need besides sockspec itself (no type checker: those run in make test).
TEST_EXTRAS = ("hypothesis>=6.100", "pytest-xdist>=3.5")
#: What the conformance run verifies under each interpreter: the stdlib servers and handlers.
CONFORMANCE_TARGETS = ("socketserver", "http.server", "xmlrpc.server", "wsgiref.simple_server")
#: Reasoned known deviations of the stdlib (see the file's comments).
STDLIB_XFAILS = ROOT / "conformance" / "xfails" / "stdlib.xfail"
#: The current docs must hold; the classic (2.4) edition's failures are findings.
EDITIONS = ("current", "classic")
#: The steps of one interpreter, in the order they run and the table shows them.
STEPS = ("tests", "conformance", "classic", "impl")
#: How a failed step is named in its detail line.
STEP_NAMES = {
    "tests": "tests",
    "conformance": "conformance (current)",
    "classic": "conformance (classic)",
    "impl": "conformance (sockspec.impl)",
}
STEP_TIMEOUT = 900.0
_PROBE = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"


@dataclass(frozen=True)
class Interpreter:
    """One Python found on the machine."""

    implementation: str
    version: tuple[int, int]
    executable: str

    @property
    def label(self) -> str:
        """``3.12`` for CPython, ``pypy3.9`` for PyPy: nox session IDs and file names."""
        minor = "%d.%d" % self.version
        return (
            minor if self.implementation == "CPython" else f"{self.implementation.lower()}{minor}"
        )


@dataclass
class StepResult:
    """One step under one interpreter."""

    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class VersionResult:
    """Everything the matrix learned about one interpreter (one entry of matrix.json)."""

    version: str
    executable: str
    implementation: str = "CPython"
    steps: dict[str, StepResult] = field(default_factory=dict[str, StepResult])

    @property
    def ok(self) -> bool:
        """True when the interpreter ran every step and each passed."""
        return bool(self.steps) and all(step.ok for step in self.steps.values())


def probe(executable: str) -> Optional[Interpreter]:
    """The implementation and (major, minor) of ``executable``, or None if it does not run."""
    try:
        out = subprocess.run(
            [executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 3 or out[0] not in ("CPython", "PyPy"):
        return None
    return Interpreter(out[0], (int(out[1]), int(out[2])), executable)


def _pyenv_pythons() -> list[str]:
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return []
    listing = subprocess.run(
        [pyenv, "versions", "--bare"], check=False, capture_output=True, text=True, timeout=60
    ).stdout.split()
    found: list[str] = []
    for name in listing:
        prefix = subprocess.run(
            [pyenv, "prefix", name], check=False, capture_output=True, text=True, timeout=60
        ).stdout.strip()
        if prefix:
            found.append(str(Path(prefix) / "bin" / "python"))
    return found


def _candidates() -> list[str]:
    configured = os.environ.get("SOCKSPEC_PYTHONS")
    if configured:
        return [path for path in configured.split(os.pathsep) if path]
    commands = [f"python3.{minor}" for minor in range(MINIMUM[1], 30)] + ["pypy3"]
    on_path = [path for path in map(shutil.which, commands) if path]
    return _pyenv_pythons() + on_path


def discover() -> list[Interpreter]:
    """One interpreter per implementation and minor version >= 3.9, first found wins."""
    chosen: dict[tuple[str, tuple[int, int]], Interpreter] = {}
    for candidate in _candidates():
        found = probe(candidate)
        if found is None or found.version < MINIMUM:
            continue
        chosen.setdefault((found.implementation, found.version), found)
    return sorted(chosen.values(), key=lambda i: (i.implementation != "CPython", i.version))


def run_step(name: str, command: Sequence[str], log: Path, env: dict[str, str]) -> StepResult:
    """Run one step's command, its output appended to ``log``; bounded by STEP_TIMEOUT."""
    start = time.monotonic()
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"\n$ {' '.join(command)}\n")
        sink.flush()
        try:
            code = subprocess.run(
                list(command),
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=STEP_TIMEOUT,
                env=env,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            return StepResult(False, time.monotonic() - start, f"{name}: timed out")
    detail = "" if code == 0 else f"{name}: exit {code}, see {shown(log)}"
    return StepResult(code == 0, time.monotonic() - start, detail)


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (--out may point elsewhere)."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def runs_tests(interpreter: Interpreter, interpreters: Sequence[Interpreter]) -> bool:
    """Whether the project's tests run under ``interpreter``: the oldest and newest CPython
    and every other implementation (CI's time budget; conformance runs under every one)."""
    cpythons = [i for i in interpreters if i.implementation == "CPython"]
    ends: set[tuple[int, int]] = {cpythons[0].version, cpythons[-1].version} if cpythons else set()
    return interpreter.implementation != "CPython" or interpreter.version in ends


def _step_commands(
    label: str, bin_dir: Path, out: Path, *, with_tests: bool
) -> dict[str, list[str]]:
    """The command of each step, keyed by its column of the table (STEPS)."""
    python, conformance = str(bin_dir / "python"), str(bin_dir / "sockspec-conformance")
    commands: dict[str, list[str]] = {}
    # The static checks run once, in `make test`, for the 3.9 and the newest target.
    if with_tests:
        commands["tests"] = [python, "-m", "pytest", "-q", "-n", "2", "-m", "not static"]
        commands["tests"] += ["-p", "no:cacheprovider"]
    for edition in EDITIONS:
        report = out / f"conformance-{label}-{edition}.json"
        command = [conformance, *CONFORMANCE_TARGETS, "--edition", edition]
        command += ["--xfail-file", str(STDLIB_XFAILS), "--json", str(report), "-q"]
        commands["conformance" if edition == "current" else edition] = command
    # The reference implementation passes the current edition with no known deviation.
    impl_report = out / f"impl-conformance-{label}.json"
    commands["impl"] = [conformance, "sockspec.impl", "--json", str(impl_report), "-q"]
    return commands


def run_steps(
    interpreter: Interpreter,
    bin_dir: Path,
    out: Path,
    *,
    with_tests: bool = True,
    concurrent: bool = True,
) -> VersionResult:
    """Every step under one interpreter whose venv (with sockspec installed) is ``bin_dir``.

    With ``concurrent`` the steps run at the same time, each into a log of its own that is
    appended to ``log-<label>.txt`` in STEPS order once all are done: they spend most of
    their time waiting on sockets and timeouts (a CPython 3.11 session used 57 s of CPU in
    99 s of wall time on 2 cores), so together they take about as long as the longest one.
    """
    label = interpreter.label
    result = VersionResult(label, interpreter.executable, interpreter.implementation)
    log = out / f"log-{label}.txt"
    log.write_text(f"matrix run for {label} ({interpreter.executable})\n", encoding="utf-8")
    # SOCKSPEC_MATRIX: the tests that build their own sockspec venv are redundant here.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", SOCKSPEC_MATRIX="1")
    commands = _step_commands(label, bin_dir, out, with_tests=with_tests)
    for edition in EDITIONS:
        (out / f"conformance-{label}-{edition}.json").unlink(missing_ok=True)
    parts = {step: out / f"log-{label}.{step}.part" for step in commands}
    for part in parts.values():
        part.unlink(missing_ok=True)

    def run(step: str) -> StepResult:
        return run_step(STEP_NAMES[step], commands[step], parts[step], env)

    if concurrent:
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            finished = dict(zip(commands, pool.map(run, commands)))
    else:
        finished = {step: run(step) for step in commands}
    with log.open("a", encoding="utf-8") as sink:
        for step in commands:
            sink.write(parts[step].read_text(encoding="utf-8"))
            parts[step].unlink()
    for step, outcome in finished.items():
        outcome.detail = outcome.detail.replace(shown(parts[step]), shown(log))
        result.steps[step] = _judged(step, outcome, out, label)
    return result


def _judged(step: str, outcome: StepResult, out: Path, label: str) -> StepResult:
    """A step's result as the table shows it: each edition's run must write its report."""
    edition = {"conformance": "current", "classic": "classic"}.get(step)
    if edition is None:
        return outcome
    report = out / f"conformance-{label}-{edition}.json"
    if not report.exists():
        detail = f"{outcome.detail}; no report written".strip("; ")
        return StepResult(False, outcome.seconds, detail)
    if edition != "current":
        # Exit 1 under the 2.4 text is expected: the report's failures are the findings.
        return StepResult(True, outcome.seconds, f"findings: {report.name}")
    return outcome


def write_steps(result: VersionResult, out: Path) -> Path:
    """Write one interpreter's results where the summary finds them."""
    path = out / f"steps-{result.version}.json"
    path.write_text(json.dumps(asdict(result) | {"ok": result.ok}, indent=2) + "\n", "utf-8")
    return path


def read_steps(out: Path) -> list[VersionResult]:
    """Every interpreter's results written by :func:`write_steps`, CPython first."""
    results: list[VersionResult] = []
    for path in sorted(out.glob("steps-*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        steps = {name: StepResult(**step) for name, step in raw["steps"].items()}
        results.append(
            VersionResult(raw["version"], raw["executable"], raw["implementation"], steps)
        )
    return sorted(results, key=lambda r: (r.implementation != "CPython", _numbers(r.version)))


def _numbers(label: str) -> tuple[int, ...]:
    return tuple(int(part) for part in label.lstrip("abcdefghijklmnopqrstuvwxyz").split("."))


def table(results: Sequence[VersionResult]) -> list[str]:
    """The version x step table, then one line per failed step."""
    lines = [f"{'python':<10}" + "".join(f"{step:<16}" for step in STEPS)]
    for res in results:
        cells = [
            "-"
            if step not in res.steps
            else f"{'pass' if res.steps[step].ok else 'FAIL'} {res.steps[step].seconds:5.1f}s"
            for step in STEPS
        ]
        lines.append(f"{res.version:<10}" + "".join(f"{cell:<16}" for cell in cells))
    for res in results:
        lines += [f"  {res.version}: {s.detail}" for s in res.steps.values() if not s.ok]
    return lines


def write_summary(results: Sequence[VersionResult], out: Path) -> Path:
    """``matrix.json``: one entry per interpreter, read by the docs' matrix page."""
    path = out / "matrix.json"
    entries = [asdict(res) | {"ok": res.ok} for res in results]
    path.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    return path

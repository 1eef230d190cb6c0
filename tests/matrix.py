"""Run the project's tests and the conformance suite under every CPython 3.9+ found.

Interpreters are discovered when this runs, never hard-coded: the
``SOCKSPEC_PYTHONS`` environment variable (paths separated by ``os.pathsep``)
if set, else every ``pyenv`` version plus ``python3.N`` commands on ``PATH``.
Each gets a fresh virtual environment with a regular (non-editable) install.
Prints a version x result table and writes it as JSON for the docs.

Under each interpreter the conformance suite verifies the stdlib's socketserver
family (CONFORMANCE_TARGETS) twice: against the current documentation (the step
fails if a clause fails) and against the Python 2.4 text (differences there are
findings, not failures).  The reports (``conformance-<python>-<edition>.json``)
are then compared into ``conformance-matrix.md`` and ``conformance-matrix.json``:
an implementation x clause matrix with the differences between Python versions
and between the 2.4 text and today.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
MINIMUM = (3, 9)
TEST_EXTRAS = ["hypothesis>=6.100", "pytest-xdist>=3.5"]
#: What the conformance run verifies under each interpreter: the stdlib servers and handlers.
CONFORMANCE_TARGETS = ["socketserver", "http.server", "xmlrpc.server", "wsgiref.simple_server"]
#: Reasoned known deviations (see the files' comments).
STDLIB_XFAILS = ROOT / "conformance" / "xfails" / "stdlib.xfail"
#: The current docs must hold; the classic (2.4) edition's failures are findings.
EDITIONS = ("current", "classic")
STEP_TIMEOUT = 900.0


@dataclass
class StepResult:
    """One step (install, tests, conformance) under one interpreter."""

    ok: bool
    seconds: float
    detail: str = ""


@dataclass
class VersionResult:
    """Everything the matrix learned about one interpreter."""

    version: str
    executable: str
    steps: dict[str, StepResult] = field(default_factory=dict[str, StepResult])

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps.values())


def _probe(executable: str) -> Optional[tuple[int, int]]:
    """The (major, minor) of a CPython interpreter, or None if it is not one."""
    code = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    try:
        out = subprocess.run(
            [executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    if len(out) != 3 or out[0] != "CPython":
        return None
    return int(out[1]), int(out[2])


def _candidates() -> list[str]:
    configured = os.environ.get("SOCKSPEC_PYTHONS")
    if configured:
        return [p for p in configured.split(os.pathsep) if p]
    found: list[str] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        listing = subprocess.run(
            [pyenv, "versions", "--bare"], check=False, capture_output=True, text=True, timeout=60
        ).stdout.split()
        for name in listing:
            prefix = subprocess.run(
                [pyenv, "prefix", name], check=False, capture_output=True, text=True, timeout=60
            ).stdout.strip()
            if prefix:
                found.append(str(Path(prefix) / "bin" / "python"))
    for minor in range(MINIMUM[1], 30):
        path = shutil.which(f"python3.{minor}")
        if path:
            found.append(path)
    return found


def discover() -> dict[tuple[int, int], str]:
    """One interpreter per CPython minor version >= 3.9, first found wins."""
    interpreters: dict[tuple[int, int], str] = {}
    for candidate in _candidates():
        version = _probe(candidate)
        if version is not None and version >= MINIMUM and version not in interpreters:
            interpreters[version] = candidate
    return dict(sorted(interpreters.items()))


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (--out may point elsewhere)."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _run(
    name: str, command: list[str], log: Path, env: Optional[dict[str, str]] = None
) -> StepResult:
    start = time.monotonic()
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"\n$ {' '.join(command)}\n")
        sink.flush()
        try:
            code = subprocess.run(
                command,
                cwd=ROOT,
                stdout=sink,
                stderr=subprocess.STDOUT,
                timeout=STEP_TIMEOUT,
                env=env,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            return StepResult(False, time.monotonic() - start, f"{name}: timed out")
    detail = "" if code == 0 else f"{name}: exit {code}, see {_shown(log)}"
    return StepResult(code == 0, time.monotonic() - start, detail)


def run_version(version: tuple[int, int], executable: str, out: Path) -> VersionResult:
    """Fresh venv, install, tests and conformance under one interpreter."""
    label = "%d.%d" % version
    result = VersionResult(label, executable)
    venv = out / f"venv-{label}"
    log = out / f"log-{label}.txt"
    shutil.rmtree(venv, ignore_errors=True)
    log.write_text(f"matrix run for CPython {label} ({executable})\n", encoding="utf-8")
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "-q"]
    setup = _run("venv", [executable, "-m", "venv", str(venv)], log)
    if setup.ok:
        setup = _run("install", [*pip, "install", str(ROOT), *TEST_EXTRAS], log)
    result.steps["install"] = setup
    if not setup.ok:
        return result
    # SOCKSPEC_MATRIX: the tests that build their own sockspec venv are redundant here.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", SOCKSPEC_MATRIX="1")
    # The static checks run once, in `make test`, for the 3.9 and the newest target.
    result.steps["tests"] = _run(
        "tests", [python, "-m", "pytest", "-q", "-n", "2", "-m", "not static"], log, env
    )
    conformance = str(venv / "bin" / "sockspec-conformance")
    for edition in EDITIONS:
        report = out / f"conformance-{label}-{edition}.json"
        report.unlink(missing_ok=True)
        step = _run(
            f"conformance ({edition})",
            [
                conformance,
                *CONFORMANCE_TARGETS,
                "--edition",
                edition,
                "--xfail-file",
                str(STDLIB_XFAILS),
                "--json",
                str(report),
                "-q",
            ],
            log,
            env,
        )
        if edition != "current" and report.exists():
            # Exit 1 under the 2.4 text is expected: the report's failures are the findings.
            step = StepResult(True, step.seconds, f"findings: {report.name}")
        elif not report.exists():
            step = StepResult(False, step.seconds, f"{step.detail}; no report written".strip("; "))
        result.steps["conformance" if edition == "current" else edition] = step
    # The reference implementation must pass the current edition, with no xfail file.
    impl_report = out / f"impl-conformance-{label}.json"
    result.steps["impl"] = _run(
        "conformance (sockspec.impl)",
        [
            conformance,
            "sockspec.impl",
            "--json",
            str(impl_report),
            "-q",
        ],
        log,
        env,
    )
    return result


def compare(results: list[VersionResult], out: Path) -> Optional[str]:
    """Write the implementation x clause matrix from every report; the problem if it failed."""
    reports = sorted(out.glob("conformance-*-*.json"))
    pythons = [out / f"venv-{r.version}" / "bin" / "python" for r in results]
    python = next((str(p) for p in pythons if p.exists()), None)
    if not reports or python is None:
        return "no conformance reports to compare"
    done = subprocess.run(
        [
            python,
            "-m",
            "sockspec.conformance.compare",
            *map(str, reports),
            "--json",
            str(out / "conformance-matrix.json"),
            "--markdown",
            str(out / "conformance-matrix.md"),
        ],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    return None if done.returncode == 0 else f"compare failed: {done.stderr.strip()}"


def main(argv: Optional[list[str]] = None) -> int:
    """Run the matrix; non-zero when any interpreter fails any step."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="matrix", help="directory for logs and JSON")
    args = parser.parse_args(argv)
    out = (ROOT / args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    interpreters = discover()
    if not interpreters:
        print("matrix: no CPython 3.9+ interpreter found (set SOCKSPEC_PYTHONS)", file=sys.stderr)
        return 2
    results: list[VersionResult] = []
    for version, executable in interpreters.items():
        print(f"matrix: CPython {'%d.%d' % version} ({executable}) ...", flush=True)
        results.append(run_version(version, executable, out))
    problem = compare(results, out)
    for res in results:
        shutil.rmtree(out / f"venv-{res.version}", ignore_errors=True)
    steps = ["install", "tests", "conformance", *EDITIONS[1:], "impl"]
    print()
    print(f"{'python':<8}" + "".join(f"{s:<16}" for s in steps))
    for res in results:
        cells: list[str] = []
        for step in steps:
            got = res.steps.get(step)
            cells.append(
                "-" if got is None else f"{'pass' if got.ok else 'FAIL'} {got.seconds:5.1f}s"
            )
        print(f"{res.version:<8}" + "".join(f"{c:<16}" for c in cells))
    for res in results:
        for outcome in res.steps.values():
            if not outcome.ok:
                print(f"  {res.version}: {outcome.detail}")
    (out / "matrix.json").write_text(
        json.dumps([asdict(r) | {"ok": r.ok} for r in results], indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwrote {_shown(out / 'matrix.json')}")
    if problem:
        print(f"matrix: {problem}", file=sys.stderr)
    else:
        print(f"wrote {_shown(out / 'conformance-matrix.md')} and .json")
    return 0 if all(r.ok for r in results) and not problem else 1


if __name__ == "__main__":
    sys.exit(main())

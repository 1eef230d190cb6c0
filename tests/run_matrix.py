"""``make matrix``: the nox session of every interpreter, a few at a time, then the summary.

``python -m tests.run_matrix [--jobs N]`` builds sockspec's wheel once, runs the
``matrix(<label>)`` sessions of ``noxfile.py`` (plan: ``tests/matrix.py``) at most N at a
time (default 2, or ``SOCKSPEC_MATRIX_JOBS``), longest first, each installing that wheel, and
then ``matrix_summary``.  A session's output is printed whole when it ends, so that the
sessions running side by side do not interleave.  Exit status 1 if any session failed.

Why side by side: a session spends most of its time waiting on sockets and timeouts (a
CPython 3.11 session used 57 s of CPU in 99 s of wall time on 2 cores), so two at once on a
2-core machine take little longer than one.  ``nox -f noxfile.py`` still runs every session
one after the other, each building sockspec from the checkout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from tests import matrix

NOX = [str(Path(sys.executable).parent / "nox"), "-f", str(matrix.ROOT / "noxfile.py")]
SESSION_TIMEOUT = 3600.0


def order(interpreters: Sequence[matrix.Interpreter]) -> list[matrix.Interpreter]:
    """Longest session first, so that the short ones fill the gaps at the end: PyPy (its
    tests took 229 s), then the CPythons that run the tests, then the others, oldest first."""

    def cost(interpreter: matrix.Interpreter) -> tuple[int, tuple[int, int]]:
        if interpreter.implementation != "CPython":
            return (0, interpreter.version)
        return (1 if matrix.runs_tests(interpreter, interpreters) else 2, interpreter.version)

    return sorted(interpreters, key=cost)


#: Not part of the distribution: virtual environments, build output, caches, results.
IGNORED = shutil.ignore_patterns(
    ".venv*",
    ".git",
    ".nox",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    "matrix",
    "_build",
    ".hypothesis",
)


def build_wheel(folder: Path) -> Path:
    """sockspec's wheel (pure Python, the same for every interpreter), built once.

    Built from a copy of the checkout: setuptools writes build/ and *.egg-info into the
    tree it builds, and CI's `make typing` installs the checkout at the same time.
    """
    source = folder / "source"
    shutil.copytree(matrix.ROOT, source, ignore=IGNORED)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "wheel"]
    command = [*pip, "--no-deps", "-w", str(folder), str(source)]
    subprocess.run(command, check=True, timeout=600, stdin=subprocess.DEVNULL)
    wheels = sorted(folder.glob("sockspec-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"run_matrix: expected one sockspec wheel in {folder}, found {wheels}")
    return wheels[0]


def run_session(session: str, env: dict[str, str]) -> tuple[int, str, float]:
    """One nox session: its exit status, its whole output and its wall time."""
    start = time.monotonic()
    try:
        done = subprocess.run(
            [*NOX, "-s", session],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=SESSION_TIMEOUT,
            check=False,
        )
        code, output = done.returncode, done.stdout
    except subprocess.TimeoutExpired as expired:
        partial = expired.stdout if isinstance(expired.stdout, str) else ""
        code, output = 1, f"{partial}\nrun_matrix: {session} timed out\n"
    return code, output, time.monotonic() - start


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the matrix; 0 when every session and the summary succeeded."""
    parser = argparse.ArgumentParser(prog="python -m tests.run_matrix", description=__doc__)
    default_jobs = int(os.environ.get("SOCKSPEC_MATRIX_JOBS") or 2)
    parser.add_argument("--jobs", "-j", type=int, default=default_jobs, metavar="N")
    parser.add_argument(
        "--only", action="append", default=[], metavar="LABEL", help="e.g. 3.11 (repeatable)"
    )
    args = parser.parse_args(argv)
    interpreters = order([i for i in matrix.discover() if not args.only or i.label in args.only])
    if not interpreters:
        print("run_matrix: no CPython or PyPy 3.9+ found (or none --only names)", file=sys.stderr)
        return 1
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sockspec-wheel-") as folder:
        env = dict(os.environ, SOCKSPEC_MATRIX_WHEEL=str(build_wheel(Path(folder))))
        sessions = [f"matrix({interpreter.label})" for interpreter in interpreters]
        print(f"run_matrix: {len(sessions)} sessions, {max(1, args.jobs)} at a time", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            # Printed in the order they started, each whole once it has ended.
            futures = [(name, pool.submit(run_session, name, env)) for name in sessions]
            for name, future in futures:
                code, output, seconds = future.result()
                print(f"--- {name}: exit {code}, {seconds:.0f} s ---\n{output}", flush=True)
                if code != 0:
                    failed.append(name)
    summary = subprocess.run([*NOX, "-s", "matrix_summary"], check=False, timeout=600)
    if failed:
        print(f"run_matrix: failed sessions: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or summary.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main())

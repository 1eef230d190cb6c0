"""Running the checks against one target in its own pytest process, with a deadline.

A target that crashes the interpreter, hangs where no signal reaches it, or
leaves a non-daemon thread that keeps the process alive can only take its own
process down: the results written so far survive in the JSON-lines file, the
process group is killed at the deadline, and the run is reported as ended
early.

The run can also be cancelled from outside (the command line got SIGTERM or SIGINT): the
process group is killed at once and the run is reported as interrupted, its unfinished
checks as not run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, cast

from .records import Record, TargetStatus
from .state import CHECKS_PACKAGE, checks_directory
from .targets import Target
from .verdicts import TargetRun, running_when_ended

__all__ = ["RunOptions", "parse_record", "pytest_command", "run_target"]

#: Seconds a pytest process may take to exit after it reported the end of its session.
EXIT_GRACE = 5.0
_POLL = 0.1
_RECORD_TYPES = frozenset({"session", "item", "start", "report", "end", "problem", "collect_error"})

_INI = """\
# Written by sockspec-conformance: isolates the run from the project's own pytest settings.
[pytest]
addopts =
consider_namespace_packages = true
"""


@dataclass(frozen=True)
class RunOptions:
    """How each target's pytest process runs."""

    edition: str
    timeout: float
    deadline: float
    clause_globs: tuple[str, ...] = ()
    xfail_file: Optional[str] = None
    maxfail: Optional[int] = None
    show_pytest_output: bool = False


def pytest_command(target: Target, options: RunOptions, workdir: Path, results: Path) -> list[str]:
    """The pytest command line that verifies ``target`` and writes ``results``."""
    checks = checks_directory()
    if checks is None:
        raise RuntimeError(f"{CHECKS_PACKAGE} is not installed")
    ini = workdir / "pytest.ini"
    if not ini.exists():
        ini.write_text(_INI, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--pyargs",
        CHECKS_PACKAGE,
        "-c",
        str(ini),
        # Node IDs then read sockspec/conformance/checks/test_...py::check[target].
        "--rootdir",
        str(checks.parent.parent.parent),
        "--confcutdir",
        str(checks),
        "--import-mode=importlib",
        "-p",
        "sockspec.conformance.plugin",
        "-p",
        "no:cacheprovider",
        "-q",
        "--sockspec-target",
        target.spec,
        "--sockspec-edition",
        options.edition,
        "--sockspec-timeout",
        repr(options.timeout),
        "--sockspec-results",
        str(results),
    ]
    for glob in options.clause_globs:
        command += ["--sockspec-clause", glob]
    if options.xfail_file:
        command += ["--sockspec-xfail-file", options.xfail_file]
    if options.maxfail:
        command += ["--maxfail", str(options.maxfail)]
    return command


def parse_record(line: bytes) -> Optional[Record]:
    """One record of the results file, or None for a torn or foreign line."""
    try:
        value: object = json.loads(line)
    except ValueError:
        return None  # a torn line from a killed process
    if not isinstance(value, dict):
        return None
    fields = cast("dict[str, object]", value)
    if fields.get("type") not in _RECORD_TYPES:
        return None
    # The collector writes these records (conformance/records.py); readers use .get for
    # what an older collector may not have written.
    return cast("Record", fields)


class _RecordReader:
    """Reads the JSON-lines file as the pytest process appends to it."""

    def __init__(self, path: Path, on_record: Optional[Callable[[Record], None]]) -> None:
        self.path = path
        self.records: list[Record] = []
        self._offset = 0
        self._partial = b""
        self._on_record = on_record

    def poll(self) -> None:
        try:
            with self.path.open("rb") as stream:
                stream.seek(self._offset)
                chunk = stream.read()
        except FileNotFoundError:
            return
        self._offset += len(chunk)
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            record = parse_record(line) if line.strip() else None
            if record is None:
                continue
            self.records.append(record)
            if self._on_record is not None:
                self._on_record(record)

    @property
    def ended(self) -> bool:
        return any(record["type"] == "end" for record in self.records)


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """True once the process has ended; where the OS allows, without reaping it.

    ``os.waitid`` with ``WNOWAIT`` leaves the ended process unreaped, so its PID, which is
    also its process group's ID, stays reserved until :func:`_kill_group` has signalled
    the group.  Interpreters without ``os.waitid`` (PyPy)
    reap at once; the group's ID then stays reserved as long as the group has a member
    (POSIX does not reuse a process group ID while the group exists), which is the only
    case in which the kill matters.
    """
    if process.returncode is not None:
        return True
    waitid = getattr(os, "waitid", None)
    if waitid is None:
        return process.poll() is not None
    try:
        info = waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return process.poll() is not None
    return info is not None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # Whatever the run left in its process group (a forked child that escaped the guard)
    # goes with it; see _exited for why the group's ID is still ours.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-lines:])


def _describe_exit(returncode: int, ended: bool, output: Path, running: str = "") -> str:
    """Why the process ended early, or ""; ``running`` says which check it died in."""
    where = f" {running}" if running else ""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"the pytest process was killed by {name} (the target crashed?){where}"
    if returncode in (0, 1, 5) and ended:
        return ""
    return f"pytest exited with status {returncode}{where}: {_tail(output)}"


def run_target(
    target: Target,
    options: RunOptions,
    on_record: Optional[Callable[[Record], None]] = None,
    cancel: Optional[threading.Event] = None,
) -> TargetRun:
    """Verify one target in a fresh pytest process; never raises for a misbehaving target.

    Setting ``cancel`` stops the run within a poll interval: its process group is killed
    and the run is returned as interrupted, with the records written so far.
    """
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sockspec-run-") as scratch:
        workdir = Path(scratch)
        results = workdir / "results.jsonl"
        output = workdir / "pytest-output.txt"
        reader = _RecordReader(results, on_record)
        env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
        env.pop("PYTEST_ADDOPTS", None)
        command = pytest_command(target, options, workdir, results)
        with output.open("wb") as sink:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        problem = ""
        interrupted = deadline_hit = False
        ended_at: Optional[float] = None
        while not _exited(process):
            time.sleep(_POLL)  # polling both the process and the results file, up to a deadline
            reader.poll()
            now = time.monotonic()
            if reader.ended and ended_at is None:
                ended_at = now
            if ended_at is not None and now - ended_at > EXIT_GRACE:
                problem = "the pytest process did not exit after the run (a leaked thread?)"
                _kill_group(process)
                break
            if cancel is not None and cancel.is_set():
                interrupted = True
                problem = "the run was interrupted before this target finished"
                _kill_group(process)
                break
            if now - start > options.deadline:
                deadline_hit = True
                problem = f"the run exceeded its {options.deadline:g} s deadline and was killed"
                _kill_group(process)
                break
        # Whatever the target left in the run's process group (a forked child that escaped
        # the guard, such as one the warm-up made) goes too; also where _exited() had to
        # reap (PyPy), as its docstring says: skipping the kill then left such a child
        # running for ever, adopted by init.
        _kill_group(process)
        returncode = process.wait()  # already ended: this only reaps it
        reader.poll()
        if not problem:
            problem = _describe_exit(
                returncode, reader.ended, output, running_when_ended(reader.records)
            )
        if options.show_pytest_output:
            sys.stdout.write(output.read_text(encoding="utf-8", errors="replace"))
    seconds = time.monotonic() - start
    status: TargetStatus = (
        "interrupted" if interrupted else "ended-early" if problem else "completed"
    )
    return TargetRun(target, reader.records, returncode, seconds, problem, status, deadline_hit)

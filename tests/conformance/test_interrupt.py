"""SIGTERM and SIGINT to the command: no process left behind, the report of what finished kept."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, Any, cast

import pytest

from tests.reliability.processes import session_members

from .helpers import clean_env

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the command's children through /proc"
)

#: Bounds on each wait of these tests (a run is interrupted long before its checks time out).
STARTUP_DEADLINE = 120.0
EXIT_DEADLINE = 30.0
HANGING = "sample_servers:HangingServer"


def _children(pid: int) -> list[int]:
    """Child processes of ``pid``, from the kernel's per-thread children lists."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            found.update(int(child) for child in task.read_text(encoding="ascii").split())
    return sorted(found)


class _Lines:
    """The command's standard output, read line by line on a thread (never blocking a test)."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for(self, text: str, deadline: float) -> bool:
        """True once a line containing ``text`` was printed, False at the deadline."""
        end = time.monotonic() + deadline
        with self._changed:
            while not any(text in line for line in self.lines):
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def join(self) -> str:
        """Everything printed, once the stream closed."""
        self._thread.join(EXIT_DEADLINE)
        return "".join(self.lines)


def _names_hanging_target(pid: int) -> bool:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return HANGING.encode() in argv


def _hanging_pytest(pid: int, deadline: float) -> list[int]:
    """The pytest process verifying the hanging target, once the command started it."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = [child for child in _children(pid) if _names_hanging_target(child)]
        if found:
            return found
        time.sleep(0.1)
    return []


@pytest.mark.parametrize(
    ("signal_number", "quiet"),
    [(signal.SIGTERM, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT-quiet"],
)
def test_interrupted_run_kills_its_processes_and_keeps_the_report(
    targets_dir: Path, signal_number: int, quiet: bool
) -> None:
    """A signal ends every pytest process; the finished target is reported, the rest NOT RUN."""
    report, junit = targets_dir / "report.json", targets_dir / "report.xml"
    command = [sys.executable, "-m", "sockspec.conformance", "socketserver:TCPServer", HANGING]
    command += ["socketserver:UDPServer", "--jobs", "1", "--timeout", "120"]
    command += ["--clause", "server.serve_forever.repeats", "--clause", "server.fileno.*"]
    command += ["--json", str(report), "--junit-xml", str(junit)]
    command += ["-q"] if quiet else []
    process = subprocess.Popen(
        command,
        cwd=targets_dir,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        out = _Lines(process.stdout)
        # --jobs 1: once the hanging target's pytest process runs, the first target is done.
        pytests = _hanging_pytest(process.pid, STARTUP_DEADLINE)
        assert pytests, f"no pytest process for {HANGING} started: {out.lines}"
        process.send_signal(signal_number)
        code = process.wait(EXIT_DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = out.join()
    assert code == 128 + signal_number, text + (process.stderr.read() if process.stderr else "")
    for pid in pytests:
        assert session_members(pid) == [], f"pytest process {pid} outlived the command"
    doc = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    assert doc["interrupted"] == f"interrupted by {signal.Signals(signal_number).name}"
    statuses = {target["target"]: target["status"] for target in doc["targets"]}
    assert statuses[HANGING] == "interrupted"
    assert statuses["socketserver:UDPServer"] == "not-started"
    rows = {row["id"]: row for row in doc["targets"][2]["clauses"]}
    assert {row["outcome"] for row in rows.values()} == {"not-run"}
    assert ET.parse(junit).getroot().get("tests")
    assert text.rstrip().splitlines()[-1].startswith("INTERRUPTED (interrupted by SIG")
    first = {row["id"]: row["outcome"] for row in doc["targets"][0]["clauses"]}
    assert statuses["socketserver:TCPServer"] == "completed"
    assert first["server.fileno.listening_socket"] == "passed"
    if not quiet:
        assert "[1/3] socketserver:TCPServer" in text

"""run_isolated() sees what a run leaves running outside its own session and process tree."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.processes import is_running, run_isolated

DEADLINE = 30.0

#: Forks a child that moves to a session of its own and sleeps, then exits at once: the
#: child, adopted by init, is in neither the command's session nor its process tree (the
#: shape of a target's child that the conformance runner's per-target session once kept).
ESCAPES = """
import os, time
if os.fork() == 0:
    os.setsid()
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    time.sleep(60)
    os._exit(0)
"""


@pytest.mark.skipif(
    not (hasattr(os, "fork") and Path("/proc/self/environ").exists()),
    reason="the escape needs os.fork; finding it needs Linux /proc",
)
def test_a_forked_child_in_a_session_of_its_own_is_a_leftover_and_is_killed() -> None:
    """The child is reported (with its command line) and does not outlive the check."""
    finished = run_isolated([sys.executable, "-c", ESCAPES], deadline=DEADLINE)
    assert finished.returncode == 0, finished.stderr
    assert len(finished.leftovers) == 1, finished.leftover_commands
    (pid,) = finished.leftovers
    assert pid != os.getpid()
    assert "-c" in finished.leftover_commands[0]
    end = time.monotonic() + DEADLINE
    while is_running(pid) and time.monotonic() < end:
        time.sleep(0.01)  # SIGKILL is asynchronous; init reaps the orphan
    assert not is_running(pid), f"leftover {pid} still running after run_isolated killed it"

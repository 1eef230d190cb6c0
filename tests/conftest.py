"""Session-wide check: no process a test started outlives the test run.

The outermost pytest process marks its environment (SESSION_MARK) before any test or
xdist worker starts, so every process started after it, and every forked copy of one,
carries the mark in its /proc environ wherever it ends up (in a session of its own,
adopted by init).  Once the session, xdist's workers included, has finished, a marked
process that is still alive escaped whatever should have ended it: the run fails,
naming it and the test it was started under, and it is killed.

Not seen: a process started with an environment that drops the mark, and (without
xdist) a forked copy of this very process that left it, as the mark was added after
this process started; the last kind is still seen while it is this process's child.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.reliability.processes import child_processes, is_running, marked_processes

#: The environment variable that marks the processes of one test run.
SESSION_MARK = "SOCKSPEC_TEST_SESSION"
#: How long processes on their way out (killed just before the end) get to finish.
SETTLE = 2.0
_CHECKING = pytest.StashKey[str]()
_CHILDREN_BEFORE = pytest.StashKey[frozenset[int]]()


def pytest_configure(config: pytest.Config) -> None:
    """Mark this run, unless it is a worker or nested in a run that checks already."""
    if hasattr(config, "workerinput") or SESSION_MARK in os.environ:
        return
    mark = uuid.uuid4().hex
    os.environ[SESSION_MARK] = mark
    config.stash[_CHECKING] = mark
    config.stash[_CHILDREN_BEFORE] = frozenset(child_processes())


def _environ_value(pid: int, name: str) -> str:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return ""
    prefix = name.encode() + b"="
    found = [item[len(prefix) :] for item in environ if item.startswith(prefix)]
    return found[0].decode(errors="replace") if found else ""


def _describe(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return f"{pid} (gone)"
    test = _environ_value(pid, "PYTEST_CURRENT_TEST") or "no test"
    return f"{pid} [{test}]: {command.decode(errors='replace').strip()[:200]}"


def _survivors(mark: str, children_before: frozenset[int]) -> list[int]:
    deadline = time.monotonic() + SETTLE
    while True:
        found = set(marked_processes(SESSION_MARK, mark)) - {os.getpid()}
        new_children = set(child_processes()) - children_before
        found |= {pid for pid in new_children if is_running(pid)}
        if not found or time.monotonic() > deadline:
            return sorted(found)
        time.sleep(0.05)  # polling with a deadline: a dying process offers nothing to wait on


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """After every other finish (xdist's workers have exited): fail on survivors."""
    result = yield
    mark = session.config.stash.get(_CHECKING, "")
    if not mark:
        return result
    survivors = _survivors(mark, session.config.stash[_CHILDREN_BEFORE])
    if survivors:
        lines = [_describe(pid) for pid in survivors]
        for pid in survivors:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # reaps it if it is ours and already gone
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "processes outlived the test run (killed now):\n  " + "\n  ".join(lines)
        if reporter is not None:
            reporter.write_sep("=", "escaped processes", red=True)
            reporter.write_line(message)
        else:
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return result

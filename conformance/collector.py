"""Per-check results as JSON lines, written while pytest runs (for ``sockspec-conformance``).

The command line runs pytest in a subprocess per target and reads this file
back, so everything is flushed line by line: when a target crashes or hangs
the results up to that point survive.  Record types:

``session``  edition, Python version, the resolved targets;
``item``     one collected check: node ID, clause, target spec, docstring;
``report``   one phase (setup, call, teardown) of one check, with its outcome;
``end``      the xfail entries no check matched and pytest's exit status.
"""

from __future__ import annotations

import json
import os
import platform
from typing import IO, Optional

import pytest

from . import plugin

__all__ = ["ResultCollector"]


def _short_message(report: pytest.TestReport) -> str:
    """The observed-vs-expected line(s) of a failure, without the traceback."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(longrepr).strip().splitlines()[-1] if str(longrepr).strip() else ""


class ResultCollector:
    """A pytest plugin object writing each result to a JSON-lines file."""

    def __init__(self, path: str, state: plugin.SuiteState) -> None:
        self._path = path
        self._state = state
        self._file: Optional[IO[str]] = None

    def _write(self, record: dict[str, object]) -> None:
        if os.getpid() != self._state.main_pid:
            return  # a forked child of a target never reports
        if self._file is None:
            self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Record the session, its targets and every conformance check about to run."""
        state = self._state
        self._write(
            {
                "type": "session",
                "edition": state.edition,
                "python": platform.python_version(),
                "platform": platform.platform(),
                "targets": [
                    {"target": t.spec, "kind": t.kind, "traits": sorted(t.traits)}
                    for t in state.targets
                ],
            }
        )
        for item in session.items:
            if not plugin.is_conformance_check(getattr(item, "function", None)):
                continue
            props = dict(item.user_properties)
            doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
            self._write(
                {
                    "type": "item",
                    "nodeid": item.nodeid,
                    "clause": props.get(plugin.PROP_CLAUSE) or plugin.clause_of(item),
                    "target": props.get(plugin.PROP_TARGET),
                    "doc": doc.splitlines()[0] if doc else "",
                }
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Record a check module that could not even be collected."""
        if report.failed:
            text = str(report.longrepr).strip()
            self._write(
                {
                    "type": "collect_error",
                    "nodeid": report.nodeid,
                    "message": text.splitlines()[-1] if text else "collection failed",
                }
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record one phase of one check."""
        props = dict(report.user_properties)
        if plugin.PROP_CLAUSE not in props and report.outcome != "failed":
            return
        skip_reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            skip_reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        wasxfail = getattr(report, "wasxfail", None)
        self._write(
            {
                "type": "report",
                "nodeid": report.nodeid,
                "when": report.when,
                "outcome": report.outcome,
                "wasxfail": wasxfail,
                "message": skip_reason or _short_message(report),
                "seconds": round(report.duration, 6),
                "clause": props.get(plugin.PROP_CLAUSE),
                "target": props.get(plugin.PROP_TARGET),
                "leak": props.get(plugin.PROP_LEAK),
                "leak_clause": props.get(plugin.PROP_LEAK_CLAUSE),
                "reproducer": props.get(plugin.PROP_REPRODUCER),
            }
        )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Record the unmatched xfail entries and pytest's exit status, then close the file."""
        self._write(
            {
                "type": "end",
                "exitstatus": int(exitstatus),
                "xfail_unmatched": [
                    {
                        "line": e.line,
                        "target": e.target_glob,
                        "clause": e.clause_glob,
                        "reason": e.reason,
                    }
                    for e in self._state.unmatched_xfails()
                ],
            }
        )
        if self._file is not None:
            self._file.close()
            self._file = None

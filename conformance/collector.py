"""Per-check results as JSON lines, written while pytest runs (for ``sockspec-conformance``).

The command line runs pytest in a subprocess per target and reads this file
back, so everything is flushed line by line: when a target crashes or hangs
the results up to that point survive.  The record types are the TypedDicts of
:mod:`sockspec.conformance.records`:

* ``session``: edition, Python version, the resolved targets;
* ``problem``: a target the suite cannot construct (one record, with a hint);
* ``item``: one collected check: node ID, clause, target spec, docstring;
* ``start``: a check, or a step of the suite in its set-up, is about to run (the last
  one names what was running when the process died);
* ``report``: one phase (setup, call, teardown) of one check, with its outcome, and
  the clause it is blocked by or why it was not run;
* ``end``: the xfail entries no check matched and pytest's exit status.
"""

from __future__ import annotations

import json
import os
import platform
from typing import IO, Optional

import pytest

from .harness import ADAPTER_HINT, HANDLER_HINT, construction_problem
from .records import (
    CollectErrorRecord,
    EndRecord,
    ItemRecord,
    ProblemRecord,
    Record,
    ReportRecord,
    SessionRecord,
    StartRecord,
    TargetInfo,
    XfailRow,
)
from .state import (
    PROP_ABANDONED,
    PROP_BLOCKED_BY,
    PROP_BLOCKED_REASON,
    PROP_CLAUSE,
    PROP_LEAK,
    PROP_LEAK_CLAUSE,
    PROP_NOT_RUN,
    PROP_REPRODUCER,
    PROP_TARGET,
    SuiteState,
    clause_of,
    is_conformance_check,
)

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


def _text(props: dict[str, object], key: str) -> Optional[str]:
    value = props.get(key)
    return None if value is None else str(value)


class ResultCollector:
    """A pytest plugin object writing each result to a JSON-lines file."""

    def __init__(self, path: str, state: SuiteState) -> None:
        self._path = path
        self._state = state
        self._file: Optional[IO[str]] = None
        self._checks: set[str] = set()
        self._running = ""
        state.step_started = self._step_started

    def _write(self, record: Record) -> None:
        if os.getpid() != self._state.main_pid:
            return  # a forked child of a target never reports
        if self._file is None:
            self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Record the session, its targets, their problems and every check about to run."""
        state = self._state
        targets: list[TargetInfo] = [
            {"target": t.spec, "kind": t.kind, "traits": sorted(t.traits)} for t in state.targets
        ]
        session_record: SessionRecord = {
            "type": "session",
            "edition": state.edition,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "targets": targets,
        }
        self._write(session_record)
        for found in state.targets:
            problem = construction_problem(found)
            if problem is not None:
                problem_record: ProblemRecord = {
                    "type": "problem",
                    "target": found.spec,
                    "message": problem,
                    "hint": HANDLER_HINT if found.kind == "handler" else ADAPTER_HINT,
                }
                self._write(problem_record)
        for item in session.items:
            if not is_conformance_check(getattr(item, "function", None)):
                continue
            props = dict(item.user_properties)
            doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
            item_record: ItemRecord = {
                "type": "item",
                "nodeid": item.nodeid,
                "clause": _text(props, PROP_CLAUSE) or clause_of(item) or "",
                "target": _text(props, PROP_TARGET),
                "doc": doc.splitlines()[0] if doc else "",
            }
            self._write(item_record)
            self._checks.add(item.nodeid)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """Record that a check starts, before any of its phases runs."""
        if nodeid in self._checks:
            self._running = nodeid
            self._step_started("")

    def _step_started(self, step: str) -> None:
        if self._running:
            record: StartRecord = {"type": "start", "nodeid": self._running, "step": step}
            self._write(record)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Record a check module that could not even be collected."""
        if report.failed:
            text = str(report.longrepr).strip()
            record: CollectErrorRecord = {
                "type": "collect_error",
                "nodeid": report.nodeid,
                "message": text.splitlines()[-1] if text else "collection failed",
            }
            self._write(record)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record one phase of one check."""
        props: dict[str, object] = dict(report.user_properties)
        if PROP_CLAUSE not in props and report.outcome != "failed":
            return
        skip_reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            skip_reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        wasxfail = getattr(report, "wasxfail", None)
        record: ReportRecord = {
            "type": "report",
            "nodeid": report.nodeid,
            "when": report.when,
            "outcome": report.outcome,
            "wasxfail": None if wasxfail is None else str(wasxfail),
            "message": skip_reason or _short_message(report),
            "seconds": round(report.duration, 6),
            "clause": _text(props, PROP_CLAUSE),
            "target": _text(props, PROP_TARGET),
            "leak": _text(props, PROP_LEAK),
            "leak_clause": _text(props, PROP_LEAK_CLAUSE),
            "reproducer": _text(props, PROP_REPRODUCER),
            "blocked_by": _text(props, PROP_BLOCKED_BY),
            "blocked_reason": _text(props, PROP_BLOCKED_REASON),
            "not_run": _text(props, PROP_NOT_RUN),
            "abandoned": _text(props, PROP_ABANDONED),
        }
        self._write(record)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Record the unmatched xfail entries and pytest's exit status, then close the file."""
        unmatched: list[XfailRow] = [
            {"line": e.line, "target": e.target_glob, "clause": e.clause_glob, "reason": e.reason}
            for e in self._state.unmatched_xfails()
        ]
        record: EndRecord = {
            "type": "end",
            "exitstatus": int(exitstatus),
            "xfail_unmatched": unmatched,
        }
        self._write(record)
        if self._file is not None:
            self._file.close()
            self._file = None

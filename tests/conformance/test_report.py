"""Verdicts, the report document and its renderings, from hand-written records (in-process)."""

from __future__ import annotations

import socketserver
import xml.etree.ElementTree as ET
from typing import Optional

import pytest
from sockspec.conformance.records import (
    ClauseRow,
    ItemRecord,
    Outcome,
    ProblemRecord,
    Record,
    ReportDocument,
    ReportRecord,
    StartRecord,
    TargetStatus,
)
from sockspec.conformance.render import junit_xml, text_report, verdict_word
from sockspec.conformance.report import build_report
from sockspec.conformance.targets import Target
from sockspec.conformance.verdicts import (
    CheckResult,
    TargetRun,
    check_results,
    clause_outcome,
    running_when_ended,
)
from sockspec.spec import load_catalogue

TARGET = Target(
    "socketserver:TCPServer", socketserver.TCPServer, "server", frozenset({"server", "stream"})
)
BIND = "server.server_bind.binds"
FILENO = "server.fileno.listening_socket"
SELECTABLE = "server.fileno.selectable"
SHUTDOWN = "server.shutdown.stops_serve_forever"


def item(nodeid: str, clause: str) -> ItemRecord:
    """The record of one collected check."""
    return {"type": "item", "nodeid": nodeid, "clause": clause, "target": TARGET.spec, "doc": ""}


def phase(
    nodeid: str,
    when: str,
    outcome: str,
    message: str = "",
    **extra: Optional[str],
) -> ReportRecord:
    """The record of one phase of one check."""
    record: ReportRecord = {
        "type": "report",
        "nodeid": nodeid,
        "when": "setup" if when == "setup" else "call" if when == "call" else "teardown",
        "outcome": "passed"
        if outcome == "passed"
        else "failed"
        if outcome == "failed"
        else "skipped",
        "wasxfail": None,
        "message": message,
        "seconds": 0.1,
        "clause": None,
        "target": TARGET.spec,
        "leak": None,
        "leak_clause": None,
        "reproducer": None,
    }
    if "leak" in extra:
        record["leak"] = extra["leak"]
        record["leak_clause"] = extra.get("leak_clause")
    if "blocked_by" in extra:
        record["blocked_by"] = extra["blocked_by"]
        record["blocked_reason"] = extra.get("blocked_reason")
    if "not_run" in extra:
        record["not_run"] = extra["not_run"]
    return record


def passing(nodeid: str) -> list[Record]:
    """The three phase records of a check that passed."""
    return [phase(nodeid, when, "passed") for when in ("setup", "call", "teardown")]


def start(nodeid: str, step: str = "") -> StartRecord:
    """The record of a check (or a step of the suite in its set-up) starting."""
    return {"type": "start", "nodeid": nodeid, "step": step}


def test_a_crash_is_charged_to_the_check_that_had_started() -> None:
    """The last check started (even one that died before its first report) is named with
    its clause, and errs; one that ended before is not named; a crash in the warm-up
    inside a check's set-up names the warm-up, and that check is not run, not an error."""
    records: list[Record] = [
        item("m.py::test_a[t]", "x.a"),
        item("m.py::test_b[t]", "x.b"),
        start("m.py::test_a[t]"),
        *passing("m.py::test_a[t]"),
    ]
    assert running_when_ended(records) == ""  # test_a ended: nothing was running
    died: list[Record] = [*records, start("m.py::test_b[t]")]
    assert running_when_ended(died) == "while test_b[t] ran (clause x.b)"
    problem = "pytest exited with status 3 " + running_when_ended(died)
    results = {r.nodeid: r for r in check_results(TargetRun(TARGET, died, 3, 1.0, problem))}
    assert results["m.py::test_a[t]"].outcome == "passed"
    assert (results["m.py::test_b[t]"].outcome, results["m.py::test_b[t]"].message) == (
        "error",
        problem,
    )
    warm: list[Record] = [
        item("m.py::test_a[t]", "x.a"),
        start("m.py::test_a[t]"),
        start("m.py::test_a[t]", "the warm-up"),
    ]
    assert running_when_ended(warm) == (
        "while the warm-up ran, in the set-up of test_a[t] (clause x.a)"
    )
    (result,) = check_results(TargetRun(TARGET, warm, -9, 1.0, "killed"))
    assert (result.outcome, result.message) == ("not-run", "not run: killed")
    # The warm-up ended; the check's own set-up went on.
    after: list[Record] = [*warm, start("m.py::test_a[t]")]
    assert running_when_ended(after) == "while test_a[t] ran (clause x.a)"
    (result,) = check_results(TargetRun(TARGET, after, -9, 1.0, "killed"))
    assert result.outcome == "error"


def _check(outcome: Outcome) -> CheckResult:
    return CheckResult("n", "c", outcome)


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        (["passed", "passed"], "passed"),
        (["passed", "skipped"], "passed"),
        (["skipped", "skipped"], "skipped"),
        (["passed", "failed"], "failed"),
        (["failed", "error"], "error"),
        (["xfailed", "passed"], "xfailed"),
        (["xpassed", "xfailed"], "xpassed"),
        (["not-applicable", "passed"], "passed"),
        (["not-applicable"], "not-applicable"),
        (["passed", "blocked"], "blocked"),
        (["blocked", "failed"], "failed"),
        (["passed", "not-run"], "not-run"),
        (["not-run", "blocked"], "blocked"),
        ([], "untested"),
    ],
)
def test_clause_verdict_is_the_most_serious_check(outcomes: list[Outcome], verdict: str) -> None:
    """A clause with several checks takes the most serious of their outcomes."""
    assert clause_outcome([_check(o) for o in outcomes]).outcome == verdict


def test_phases_fold_into_one_check_result() -> None:
    """Phases fold into one outcome; leaks are kept; the check in progress at a crash errs."""
    leak = phase(
        "a", "teardown", "failed", leak="1 descriptor(s) left", leak_clause="resources.r.s"
    )
    records: list[Record] = [
        item("a", "x.y"),
        item("b", "x.z"),
        item("c", "x.w"),
        item("d", "x.v"),
        phase("a", "setup", "passed"),
        phase("a", "call", "passed"),
        leak,
        phase("b", "setup", "failed", "m"),
        phase("b", "teardown", "passed"),
        phase("d", "setup", "passed"),
    ]
    run = TargetRun(TARGET, records, -9, 1.0, "the pytest process was killed by SIGKILL")
    results = {result.nodeid: result for result in check_results(run)}
    assert results["a"].outcome == "passed"
    assert results["a"].leak_clause == "resources.r.s"
    assert results["a"].seconds == pytest.approx(0.3)
    assert (results["b"].outcome, results["b"].message) == ("error", "m")
    assert results["c"].outcome == "not-run"
    assert "SIGKILL" in results["c"].message
    assert results["d"].outcome == "error"
    assert "SIGKILL" in results["d"].message


def _report(
    records: list[Record],
    status: TargetStatus = "completed",
    problem: str = "",
    why: str = "",
    deadline_hit: bool = False,
) -> ReportDocument:
    run = TargetRun(TARGET, records, 0, 1.0, problem, status, deadline_hit)
    globs = ("server.fileno.*", "server.server_bind.*", "server.shutdown.*")
    return build_report(
        [run], load_catalogue(), "current", (3, 11), clause_globs=globs, interrupted=why
    )


def _rows(doc: ReportDocument) -> dict[str, ClauseRow]:
    return {row["id"]: row for row in doc["targets"][0]["clauses"]}


def test_blocked_check_names_its_clause_and_is_counted_apart() -> None:
    """A check stopped by blocked() is BLOCKED by the clause it rests on, not failed."""
    records: list[Record] = [
        item("bind", BIND),
        item("fileno", FILENO),
        phase("bind", "setup", "passed"),
        phase("bind", "call", "failed", "takes no bind_and_activate parameter"),
        phase("bind", "teardown", "passed"),
        phase("fileno", "setup", "passed"),
        phase("fileno", "call", "skipped", "blocked", blocked_by=BIND, blocked_reason="no b_a_a"),
        phase("fileno", "teardown", "passed"),
    ]
    doc = _report(records)
    rows = _rows(doc)
    assert rows[FILENO]["outcome"] == "blocked"
    assert rows[FILENO]["blocked_by"] == BIND
    assert rows[BIND]["outcome"] == "failed"
    summary = doc["targets"][0]["summary"]
    assert (summary["blocked"], summary["failed"]) == (1, 1)
    text = text_report(doc, {})
    assert f"BLOCKED  {FILENO}" in text
    assert f"blocked by {BIND}: no b_a_a" in text
    case = ET.fromstring(junit_xml(doc)).find(f".//testcase[@name='{FILENO}']")
    assert case is not None
    assert case.find("skipped") is not None
    assert case.find("failure") is None


def test_checks_of_a_hanging_target_are_not_run_with_the_reason() -> None:
    """Checks the engine stopped because the target hangs are NOT RUN, naming the hung checks."""
    reason = "target hangs: test_a, test_b, test_c timed out"
    records: list[Record] = [
        item("fileno", FILENO),
        phase("fileno", "setup", "skipped", "not run", not_run=reason),
    ]
    doc = _report(records)
    assert _rows(doc)[FILENO]["outcome"] == "not-run"
    assert _rows(doc)[FILENO]["message"] == reason
    assert doc["targets"][0]["summary"]["not-run"] == 1
    text = text_report(doc, {})
    assert "NOT RUN 1 clause(s), target hangs: test_a, test_b, test_c timed out:" in text
    assert verdict_word(doc) == "PASSED"  # the checks that hung failed by themselves


def test_target_problem_is_one_line_and_fails_the_run() -> None:
    """A target that cannot be constructed gives one PROBLEM line, no FAIL per clause."""
    problem: ProblemRecord = {
        "type": "problem",
        "target": TARGET.spec,
        "message": "TCPServer() needs an argument the suite cannot supply: app",
        "hint": "give a factory as module:factory (see 'Adapters' in docs/run-suite.rst)",
    }
    records: list[Record] = [
        problem,
        item("fileno", FILENO),
        phase("fileno", "setup", "failed", "HarnessError: needs app"),
    ]
    doc = _report(records)
    target = doc["targets"][0]
    assert target["status"] == "problem"
    assert target["hint"].startswith("give a factory")
    assert {row["outcome"] for row in target["clauses"]} <= {"not-run", "not-applicable"}
    text = text_report(doc, {})
    assert text.count("PROBLEM: TCPServer() needs an argument") == 1
    assert "FAIL " not in text
    assert "ERROR " not in text
    assert verdict_word(doc) == "FAILED"
    suite = ET.fromstring(junit_xml(doc)).find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "1"
    assert suite.get("errors") == "1"


def test_interrupted_run_marks_unfinished_checks_not_run() -> None:
    """After SIGTERM, finished checks keep their verdicts and the rest are NOT RUN."""
    records: list[Record] = [
        item("fileno", FILENO),
        item("selectable", SELECTABLE),
        *passing("fileno"),
        phase("selectable", "setup", "passed"),
    ]
    why = "interrupted by SIGTERM"
    doc = _report(records, "interrupted", f"{why} before this target finished", why)
    rows = _rows(doc)
    assert rows[FILENO]["outcome"] == "passed"
    assert rows[SELECTABLE]["outcome"] == "not-run"
    assert doc["interrupted"] == why
    text = text_report(doc, {}, verbosity=-1)
    assert text.rstrip().splitlines()[-1].startswith(f"INTERRUPTED ({why}): 1 target(s)")
    assert verdict_word(doc) == "INTERRUPTED"


def test_check_running_at_the_deadline_is_not_run_not_an_error() -> None:
    """The check in progress when the deadline killed the run was never judged: NOT RUN, with
    the deadline as its reason, in text, JSON and JUnit; one in progress at a crash errs."""
    records: list[Record] = [
        item("fileno", FILENO),
        item("selectable", SELECTABLE),
        item("shutdown", SHUTDOWN),
        *passing("fileno"),
        phase("selectable", "setup", "passed"),
    ]
    deadline = "the run exceeded its 300 s deadline and was killed"
    doc = _report(records, "ended-early", deadline, deadline_hit=True)
    rows = _rows(doc)
    assert rows[FILENO]["outcome"] == "passed"
    assert rows[SELECTABLE]["outcome"] == "not-run"
    assert rows[SELECTABLE]["message"] == f"not run to its end: {deadline} while this check ran"
    assert rows[SHUTDOWN]["outcome"] == "not-run"
    assert doc["targets"][0]["summary"]["error"] == 0
    text = text_report(doc, {})
    assert "ERROR" not in text
    assert f"not run to its end: {deadline} while this check ran" in text
    case = ET.fromstring(junit_xml(doc)).find(f".//testcase[@name='{SELECTABLE}']")
    assert case is not None
    assert case.find("skipped") is not None
    assert case.find("error") is None
    crashed = _report(records, "ended-early", "the pytest process was killed by SIGKILL")
    assert _rows(crashed)[SELECTABLE]["outcome"] == "error"

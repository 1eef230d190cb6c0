"""The sockspec-conformance command: exit statuses, messages, options, robustness."""

from __future__ import annotations

import json
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Optional, cast

import pytest
from sockspec.conformance import cli, scheduler
from sockspec.conformance.records import REPORT_FORMAT, Record
from sockspec.conformance.runner import RunOptions
from sockspec.conformance.selection import select
from sockspec.conformance.targets import Target
from sockspec.conformance.verdicts import TargetRun
from sockspec.spec import load_catalogue

from .helpers import Run, RunCli, SharedRun

Doc = dict[str, object]

VERSION = (sys.version_info[0], sys.version_info[1])


def _targets(doc: Doc) -> list[Doc]:
    return cast("list[Doc]", doc["targets"])


def _listed_ids(output: str) -> list[str]:
    """Clause IDs from --list-clauses output: the lines indented by exactly two spaces."""
    return [line.split()[0] for line in output.splitlines() if line[:2] == "  " and line[2] != " "]


def _clauses(target: Doc) -> dict[str, Doc]:
    return {str(row["id"]): row for row in cast("list[Doc]", target["clauses"])}


RunJson = Callable[..., tuple[Run, Doc]]


@pytest.fixture
def run_json(run_cli: RunCli, tmp_path: Path) -> RunJson:
    """Run the command with ``--json`` into a private file: the run and the report it wrote."""
    report = tmp_path / "report.json"

    def run(*args: str) -> tuple[Run, Doc]:
        done = run_cli(*args, "--json", str(report))
        return done, done.json(report)

    return run


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("no_such_module_here", "cannot import 'no_such_module_here': ModuleNotFoundError"),
        ("sample_servers:Missing", "module 'sample_servers' has no attribute 'Missing'"),
        ("sample_servers:NOT_A_CLASS", "sample_servers:NOT_A_CLASS is not a class (it is int)"),
        ("sample_servers:Duck", "not a socketserver server or request handler class"),
        ("socketserver:BaseServer", "socketserver:BaseServer is not a complete server"),
        ("broken_module", "cannot import 'broken_module': RuntimeError: this module refuses"),
        ("socketserver:TCPServer[stream,bogus]", "unknown trait(s) bogus"),
        ("not a target!", "is not a target"),
    ],
)
def test_bad_target_is_one_line_and_exit_2(run_cli: RunCli, target: str, expected: str) -> None:
    """A target that cannot be verified exits 2 with one clear line and no traceback."""
    run = run_cli(target)
    assert run.code == 2, run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("sockspec-conformance: error: "), lines
    assert expected in lines[0], lines[0]
    assert "Traceback" not in run.err + run.out


def test_traceback_option_shows_the_cause(run_cli: RunCli) -> None:
    """--traceback shows where a failing import raised, then the same one-line error."""
    run = run_cli("broken_module", "--traceback")
    assert run.code == 2
    assert "Traceback" in run.err
    assert "this module refuses to import" in run.err
    assert run.err.strip().splitlines()[-1].startswith("sockspec-conformance: error: ")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--timeout", "0"], "--timeout must be a positive number"),
        (["--maxfail", "0"], "--maxfail must be at least 1"),
        (["--edition", "modern"], "argument --edition: invalid choice: 'modern'"),
        (["--clause", "no.such.clause*"], "--clause 'no.such.clause*' matches no clause"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_bad_option_is_one_line_and_exit_2(run_cli: RunCli, args: list[str], expected: str) -> None:
    """A bad option value exits 2 with one line naming the problem."""
    run = run_cli("socketserver:TCPServer", *args)
    assert run.code == 2, run
    assert expected in run.err
    assert len(run.err.strip().splitlines()) == 1, run.err


def test_malformed_xfail_file_names_the_line(run_cli: RunCli, tmp_path: Path) -> None:
    """A malformed xfail file exits 2 with its path and the offending line number."""
    xfails = tmp_path / "xfails.txt"
    xfails.write_text("# known deviations\n\nsocketserver:* server.fileno.declared\n")
    run = run_cli("socketserver:TCPServer", "--xfail-file", str(xfails))
    assert run.code == 2
    assert f"{xfails}:3:" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_list_clauses_lists_the_selected_edition(run_cli: RunCli) -> None:
    """--list-clauses prints every clause of the edition for this Python, and exits 0."""
    for edition in ("current", "classic"):
        run = run_cli("--list-clauses", "--edition", edition)
        assert run.code == 0, run.err
        expected = select(load_catalogue().clauses, edition, VERSION)
        listed = set(_listed_ids(run.out))
        assert listed == {clause.id for clause in expected}
        assert run.out.startswith(f"{len(expected)} clause(s) of the {edition} edition")


def test_list_clauses_honours_clause_globs(run_cli: RunCli) -> None:
    """--clause narrows --list-clauses to the matching IDs."""
    run = run_cli("--list-clauses", "--clause", "server.fileno.*")
    assert run.code == 0
    listed = _listed_ids(run.out)
    assert listed, run.out
    assert all(clause_id.startswith("server.fileno.") for clause_id in listed)


def test_clause_filter_limits_the_report(run_cli: RunCli, tmp_path: Path) -> None:
    """--clause runs and reports only the matching clauses, and the stdlib passes them."""
    report = tmp_path / "report.json"
    run = run_cli("socketserver:TCPServer", "--clause", "server.fileno.*", "--json", str(report))
    assert run.code == 0, run.out + run.err
    doc = run.json(report)
    rows = _clauses(_targets(doc)[0])
    assert rows
    assert all(clause_id.startswith("server.fileno.") for clause_id in rows)
    assert doc["clause_filter"] == ["server.fileno.*"]
    assert any(row["outcome"] == "passed" for row in rows.values())


def test_json_report_covers_every_clause_of_each_target(stdlib_run: SharedRun) -> None:
    """The JSON report lists every selected clause once per target, with consistent totals."""
    doc = stdlib_run.doc
    summary = cast("Doc", doc["summary"])
    assert stdlib_run.run.code == (1 if summary["failed"] or summary["error"] else 0)
    expected = {clause.id for clause in select(load_catalogue().clauses, "current", VERSION)}
    specs = [target["target"] for target in _targets(doc)]
    assert specs == ["socketserver:TCPServer", "socketserver:UDPServer"]
    for target in _targets(doc):
        rows = cast("list[Doc]", target["clauses"])
        ids = [str(row["id"]) for row in rows]
        assert len(ids) == len(set(ids))
        assert set(ids) == expected
        tally = cast("Doc", target["summary"])
        applicable = [row for row in rows if row["outcome"] != "not-applicable"]
        assert tally["applicable"] == len(applicable)
        assert tally["passed"] == sum(1 for row in applicable if row["outcome"] == "passed")
    udp = _clauses(_targets(doc)[1])
    assert any(row["outcome"] == "not-applicable" for row in udp.values())


def test_text_report_groups_by_section_with_a_summary(stdlib_run: SharedRun) -> None:
    """The printed report has a block per target, section headings and the overall verdict."""
    out = stdlib_run.run.out
    assert "== socketserver:TCPServer [implementation,inet,server,stream] (server) ==" in out
    assert "  server.methods: " in out
    assert "summary by section (all targets):" in out
    assert out.rstrip().splitlines()[-1].split(":")[0] in ("PASSED", "FAILED")
    assert "\033[" not in out


def test_junit_xml_carries_clause_ids(stdlib_run: SharedRun) -> None:
    """--junit-xml writes one test case per applicable clause, named by the clause ID."""
    root = ET.parse(stdlib_run.junit).getroot()
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == [
        "socketserver:TCPServer",
        "socketserver:UDPServer",
    ]
    for suite, target in zip(suites, _targets(stdlib_run.doc)):
        cases = suite.findall("testcase")
        applicable = cast("Doc", target["summary"])["applicable"]
        assert len(cases) == applicable
        for case in cases:
            clause = case.find("properties/property[@name='clause']")
            assert clause is not None
            assert clause.get("value") == case.get("name")
            assert str(case.get("name")) in _clauses(target)


def test_deviating_target_fails_with_reproducer(run_json: RunJson) -> None:
    """A target that breaks a clause exits 1; the report shows the failure and a reproducer."""
    run, doc = run_json("sample_servers:BadFilenoServer", "--clause", "server.fileno.*")
    assert run.code == 1, run.out
    row = _clauses(_targets(doc)[0])["server.fileno.listening_socket"]
    assert row["outcome"] == "failed"
    assert row["message"]
    assert "sockspec-conformance 'sample_servers:BadFilenoServer'" in str(row["reproducer"])
    assert "FAIL     server.fileno.listening_socket" in run.out
    assert "reproduce:" in run.out
    assert "\033[" not in run.out


def test_xfail_file_xfails_xpasses_and_reports_unmatched(run_json: RunJson, tmp_path: Path) -> None:
    """Xfail entries turn failures into xfailed, passes into xpassed, and unmatched are listed."""
    xfails = tmp_path / "xfails.txt"
    xfails.write_text(
        "# target glob          clause                          reason\n"
        "*:BadFilenoServer      server.fileno.listening_socket  returns -1 on purpose\n"
        "*:BadFilenoServer      server.fileno.selectable        returns -1 on purpose\n"
        "socketserver:TCPServer server.fileno.listening_socket  stale entry\n"
        "*                      server.no_such.clause           typo in the clause ID\n"
    )
    run, doc = run_json(
        "sample_servers:BadFilenoServer",
        "socketserver:TCPServer",
        "--clause",
        "server.fileno.*",
        "--xfail-file",
        str(xfails),
    )
    bad, stdlib = (_clauses(target) for target in _targets(doc))
    assert bad["server.fileno.listening_socket"]["outcome"] == "xfailed"
    assert "returns -1 on purpose" in str(bad["server.fileno.listening_socket"]["message"])
    assert stdlib["server.fileno.listening_socket"]["outcome"] == "xpassed"
    unmatched = cast("list[Doc]", doc["xfail_unmatched"])
    assert [entry["line"] for entry in unmatched] == [5]
    assert "line 5: * server.no_such.clause" in run.out
    assert run.code == 0, run.out


def test_hanging_target_times_out_and_the_run_completes(run_json: RunJson) -> None:
    """A target whose serve_forever never returns fails by timeout; the other target still runs."""
    hanging_and_stdlib = ("sample_servers:HangingServer", "socketserver:TCPServer")
    clause = ("--clause", "server.serve_forever.repeats")
    run, doc = run_json(*hanging_and_stdlib, *clause, "--timeout", "1")
    assert run.code == 1, run.out
    hanging, stdlib = (_clauses(target) for target in _targets(doc))
    verdict = hanging["server.serve_forever.repeats"]
    assert verdict["outcome"] in ("failed", "error"), verdict
    assert stdlib["server.serve_forever.repeats"]["outcome"] == "passed"


def test_crashing_target_is_reported_not_fatal(run_json: RunJson) -> None:
    """A target that kills its process is reported as ended early; other targets still run."""
    run, doc = run_json(
        "sample_servers:CrashingServer", "socketserver:TCPServer", "--clause", "server.fileno.*"
    )
    assert run.code == 1
    crashed, stdlib = _targets(doc)
    assert "SIGKILL" in str(crashed["problem"])
    # It dies binding its first server, in the warm-up: named so, not as the first check.
    assert "(the target crashed?) while the warm-up ran, in the set-up of test_" in str(
        crashed["problem"]
    )
    assert "ENDED EARLY" in run.out
    assert stdlib["problem"] == ""
    assert _clauses(stdlib)["server.fileno.listening_socket"]["outcome"] == "passed"


def test_crash_in_one_check_names_it_and_keeps_what_ran_before(run_json: RunJson) -> None:
    """A target ending its process in handle_timeout(): one line names the check that was
    running and its clause, which errs; the verdicts before it stand; the exit is 1."""
    run, doc = run_json("sample_servers:ExitInTimeoutServer", "--clause", "server.handle_request.*")
    assert run.code == 1, run.out[-3000:]
    (target,) = _targets(doc)
    died = (
        "pytest exited with status 3 while test_handle_request_timeout"
        "[sample_servers:ExitInTimeoutServer-short] ran (clause server.handle_request.timeout)"
    )
    problem = str(target["problem"])
    assert problem.startswith(died + ": "), problem
    assert "\n" not in problem
    assert f"ENDED EARLY: {died}" in run.out
    rows = _clauses(target)
    assert rows["server.handle_request.timeout"]["outcome"] == "error"
    assert str(rows["server.handle_request.timeout"]["message"]).startswith(died)
    # Checks that ran before it keep their verdicts, in the text report too.
    assert rows["server.handle_request.order"]["outcome"] == "passed"
    assert "PASS     server.handle_request.order" in run.out
    assert rows["server.handle_request.timeout_none_waits"]["outcome"] == "not-run"


def test_leaked_socket_fails_a_resources_clause(run_json: RunJson) -> None:
    """A server that never closes its socket fails resources.server_close.no_listening_fd."""
    clauses = ("--clause", "server.fileno.*", "--clause", "resources.*")
    run, doc = run_json("sample_servers:LeakyServer", *clauses)
    assert run.code == 1, run.out
    rows = _clauses(_targets(doc)[0])
    verdict = rows["resources.server_close.no_listening_fd"]
    assert verdict["outcome"] == "failed", verdict
    assert "descriptor" in str(verdict["message"]) or "socket" in str(verdict["message"])


def test_default_target_is_the_stdlib_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without TARGET every complete class of the stdlib socketserver module is verified."""
    started: list[str] = []

    def fake_run(
        target: Target,
        options: RunOptions,
        on_record: Optional[Callable[[Record], None]] = None,
        cancel: Optional[threading.Event] = None,
    ) -> TargetRun:
        started.append(target.spec)
        return TargetRun(target, [], 0, 0.0)

    monkeypatch.setattr(scheduler, "run_target", fake_run)
    assert cli.main(["--clause", "server.fileno.*", "-q"]) == 0
    assert "socketserver:TCPServer" in started
    assert "socketserver:ThreadingUDPServer" in started
    assert "socketserver:StreamRequestHandler" in started
    assert "socketserver:BaseServer" not in started
    assert "socketserver:ThreadingMixIn" not in started
    assert "untested" in capsys.readouterr().out


def test_maxfail_stops_before_the_next_target(run_json: RunJson) -> None:
    """--maxfail 1 stops after the first failing check; targets not started are reported."""
    bad_and_stdlib = ("sample_servers:BadFilenoServer", "socketserver:TCPServer")
    options = ("--clause", "server.fileno.*", "--maxfail", "1", "--jobs", "1")
    run, doc = run_json(*bad_and_stdlib, *options)
    assert run.code == 1
    bad, stdlib = _targets(doc)
    assert cast("Doc", bad["summary"])["failed"] == 1
    assert stdlib["problem"] == "not run: --maxfail 1 reached"


def test_json_output_is_valid_json_even_for_a_crash(run_cli: RunCli, tmp_path: Path) -> None:
    """The JSON report is written and parseable when a target's run ended early."""
    report = tmp_path / "report.json"
    run = run_cli("sample_servers:CrashingServer", "--clause", "server.*", "--json", str(report))
    assert run.code == 1
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert doc["format"] == REPORT_FORMAT

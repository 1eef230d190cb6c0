"""The pytest plugin: parametrization, applicability, timeouts, the resource guard, inertness."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import cast

import pytest
from sockspec.conformance import plugin
from sockspec.spec import load_catalogue

from .helpers import Run, RunCli

VERSION = (sys.version_info[0], sys.version_info[1])


def _stream_clause() -> str:
    """A current-edition clause that needs the stream trait (so a UDP server skips it)."""
    for clause in load_catalogue().select("current", VERSION):
        if "stream" in clause.applies_to and "threading" not in clause.applies_to:
            return clause.id
    raise AssertionError("the catalogue has no stream-only clause")


STREAM_CLAUSE = _stream_clause()
DECLARED = "server.fileno.declared"

FAKE_CHECKS = f'''
import os
import socket
import subprocess
import json
import sys
import threading

import pytest

KEPT = []


@pytest.mark.clause("{DECLARED}")
def test_passes(target, check_timeout):
    """A check that passes for every server."""
    assert target.kind == "server"
    assert check_timeout > 0


@pytest.mark.clause("{STREAM_CLAUSE}")
def test_stream_only(target):
    """Runs only for stream servers."""
    assert "stream" in target.traits


@pytest.mark.clause("{DECLARED}")
def test_fails(target):
    """Observed 1, expected 2."""
    assert 1 == 2, "observed 1, expected 2"


@pytest.mark.clause("{DECLARED}")
def test_hangs(target):
    """Never returns on its own."""
    threading.Event().wait()


@pytest.mark.clause("{DECLARED}")
def test_leaks_socket(target):
    """Keeps a socket open after the check."""
    KEPT.append(socket.socket())


@pytest.mark.clause("{DECLARED}")
def test_leaked_socket_was_closed(target):
    """The guard closed the socket the previous check leaked."""
    assert KEPT and KEPT[0].fileno() == -1


@pytest.mark.clause("{DECLARED}")
def test_leaks_thread(target):
    """Leaves a thread running."""
    threading.Thread(target=threading.Event().wait, args=(3,), daemon=True).start()


@pytest.mark.clause("{DECLARED}")
def test_leaks_child(target):
    """Leaves a child process running."""
    KEPT.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))


@pytest.mark.clause("no.such.clause")
def test_unknown_clause(target):
    """Names a clause the catalogue does not have."""


def test_no_marker(target):
    """Has no clause marker."""


for _name, _value in list(globals().items()):
    if _name.startswith("test_"):
        _value.__module__ = "{plugin.CHECKS_PACKAGE}.fake"
'''


@pytest.fixture
def fake_checks(run_pytest: RunCli, tmp_path: Path) -> Path:
    """A project whose test module poses as conformance checks."""
    path = tmp_path / "project" / "test_fake.py"
    path.write_text(FAKE_CHECKS, encoding="utf-8")
    return path


TCP = "--sockspec-target=socketserver:TCPServer"
UDP = "--sockspec-target=socketserver:UDPServer"


@pytest.fixture
def on_tcp(run_pytest: RunCli, fake_checks: Path) -> RunCli:
    """Run pytest on the fake checks with the stdlib TCPServer as the target."""

    def run(*args: str) -> Run:
        return run_pytest(*args, TCP)

    return run


def test_plugin_is_inert_in_other_projects(run_pytest: RunCli, tmp_path: Path) -> None:
    """A project with its own 'target' fixture runs unchanged: nothing parametrized or skipped."""
    (tmp_path / "project" / "test_other.py").write_text(
        "import pytest\n\n"
        "@pytest.fixture\n"
        "def target():\n"
        "    return 41\n\n"
        "def test_target(target):\n"
        "    assert target + 1 == 42\n\n"
        "def test_plain():\n"
        "    pass\n",
        encoding="utf-8",
    )
    run = run_pytest("-v", "--strict-markers", "-W", "error")
    assert run.code == 0, run.out
    assert "2 passed" in run.out
    assert "socketserver" not in run.out
    assert "test_other.py::test_target PASSED" in run.out


def test_checks_are_parametrized_over_targets_with_ids(
    run_pytest: RunCli, fake_checks: Path
) -> None:
    """Each check runs once per target; test IDs carry the target spec."""
    run = run_pytest("--collect-only", "-q", TCP, UDP)
    assert "test_fake.py::test_passes[socketserver:TCPServer]" in run.out
    assert "test_fake.py::test_passes[socketserver:UDPServer]" in run.out


def test_inapplicable_clause_is_skipped_with_reason(run_pytest: RunCli, fake_checks: Path) -> None:
    """A check of a stream clause is skipped for a datagram server, naming the missing trait."""
    run = run_pytest("-rs", "-k", "test_stream_only", TCP, UDP)
    assert run.code == 0, run.out
    assert "1 passed, 1 skipped" in run.out
    assert "not applicable: needs stream" in run.out


def test_malformed_checks_error_with_the_reason(on_tcp: RunCli) -> None:
    """A check naming an unknown clause, or none, errors at setup with a clear message."""
    run = on_tcp("-k", "unknown_clause or no_marker")
    assert run.code == 1
    assert "'no.such.clause', which is not in the catalogue" in run.out
    assert "needs exactly one clause marker, found 0" in run.out


def test_k_selects_by_clause_id(on_tcp: RunCli) -> None:
    """-k with a clause ID selects the checks of that clause."""
    run = on_tcp("--collect-only", "-q", "-k", STREAM_CLAUSE)
    collected = [line for line in run.out.splitlines() if "::" in line]
    assert collected
    assert all("test_stream_only" in line for line in collected)


def test_sockspec_clause_deselects_other_clauses(on_tcp: RunCli) -> None:
    """--sockspec-clause keeps only the checks of matching clauses."""
    run = on_tcp("--collect-only", "-q", f"--sockspec-clause={STREAM_CLAUSE}")
    collected = [line for line in run.out.splitlines() if "::" in line]
    assert collected == ["test_fake.py::test_stream_only[socketserver:TCPServer]"]


def test_failure_shows_a_reproducer(on_tcp: RunCli) -> None:
    """A failing check's report ends with commands that rerun just that check."""
    run = on_tcp("-k", "test_fails")
    assert run.code == 1
    assert "sockspec reproducer" in run.out
    assert f"sockspec-conformance 'socketserver:TCPServer' --clause '{DECLARED}'" in run.out
    assert "# expected: Observed 1, expected 2." in run.out


def test_hanging_check_is_interrupted(on_tcp: RunCli) -> None:
    """A check that blocks forever fails after --sockspec-timeout and the session goes on."""
    run = on_tcp("-k", "test_hangs or test_passes", "--sockspec-timeout=0.5")
    assert run.code == 1
    assert "CheckTimeout: the check did not finish within 0.5 s" in run.out
    assert "1 failed, 1 passed" in run.out


def test_leaked_socket_fails_teardown_and_is_closed(on_tcp: RunCli) -> None:
    """A leaked socket errors the check under the resources clause and is closed afterwards."""
    run = on_tcp("-k", "test_leaks_socket or test_leaked_socket_was_closed", "-p", "no:randomly")
    assert "ERROR at teardown of test_leaks_socket" in run.out
    assert "resources.server_close.no_listening_fd: the check left 1 descriptor(s)" in run.out
    assert "2 passed, 8 deselected, 1 error" in run.out


def test_leaked_thread_and_child_are_reported(run_pytest: RunCli, fake_checks: Path) -> None:
    """A leaked thread and a leaked child process fail the clauses the catalogue charges."""
    threads = run_pytest(
        "-k", "test_leaks_thread", "--sockspec-target=socketserver:ThreadingTCPServer"
    )
    assert "thread(s) still running" in threads.out
    assert "resources.threading.no_threads_after_close" in threads.out
    children = run_pytest(
        "-k", "test_leaks_child", "--sockspec-target=socketserver:ForkingTCPServer"
    )
    assert "child process(es) not reaped" in children.out
    assert "resources.forking.no_children_after_close" in children.out


def test_leak_no_clause_charges_fails_the_check_itself(on_tcp: RunCli) -> None:
    """A thread leaked on a server without the threading trait is the leaking check's failure."""
    run = on_tcp("-k", "test_leaks_thread")
    assert "resources: the check left 1 thread(s) still running" in run.out
    assert "resources.threading" not in run.out


def test_unmatched_xfail_entries_are_reported(on_tcp: RunCli, tmp_path: Path) -> None:
    """An xfail entry xfails its check, and an entry matching nothing is named in the summary."""
    xfails = tmp_path / "xfails.txt"
    xfails.write_text(
        f"socketserver:TCPServer {DECLARED} known\nsocketserver:Nope {DECLARED} stale\n"
    )
    run = on_tcp("-k", "test_fails", f"--sockspec-xfail-file={xfails}")
    assert run.code == 0, run.out
    assert "1 xfailed" in run.out
    assert "line 2: socketserver:Nope server.fileno.declared matched no applicable check" in run.out


def test_shipped_xfail_file_by_name(on_tcp: RunCli) -> None:
    """--sockspec-xfail-file=stdlib reads the file installed with the package, as the CLI does."""
    run = on_tcp("-k", "test_fails", "--sockspec-xfail-file=stdlib")
    assert run.code != 4, run.out + run.err  # 4: pytest's usage error (no such file)
    # Its entries are read: those for other servers are named as matching no check.
    assert "http.server:HTTPServer creation.handler.explicit_fork matched no" in run.out, run.out


def test_bad_target_is_a_usage_error(run_pytest: RunCli, fake_checks: Path) -> None:
    """An unimportable --sockspec-target stops pytest with one line naming it."""
    run = run_pytest("--sockspec-target=no_such_module_here")
    assert run.code == 4
    assert "sockspec: cannot import 'no_such_module_here'" in run.err
    assert "Traceback" not in run.err


def test_real_suite_runs_under_xdist(run_pytest: RunCli) -> None:
    """The real checks pass on the stdlib TCPServer when spread over two xdist workers."""
    run = run_pytest(
        "--pyargs",
        plugin.CHECKS_PACKAGE,
        "-n",
        "2",
        "-q",
        "--sockspec-target=socketserver:TCPServer",
        "--sockspec-clause=server.*",
    )
    assert run.code == 0, run.out[-3000:]
    assert " passed" in run.out


STREAK_CHECKS = f'''
import threading

import pytest
from sockspec.conformance.harness import HarnessError
from sockspec.conformance.preconditions import blocked


def _hang():
    threading.Event().wait()


@pytest.mark.clause("{DECLARED}")
def test_a_hangs(target):
    """Hangs."""
    _hang()


@pytest.mark.clause("{DECLARED}")
def test_b_passes(target, harness):
    """Runs the target and passes: ends the streak."""
    harness.exchange(harness.make_server())


@pytest.mark.clause("{DECLARED}")
def test_b_introspects(target):
    """Passes without running the target: neither ends nor extends the streak."""


@pytest.mark.clause("{DECLARED}")
def test_c_hangs(target):
    """Hangs."""
    _hang()


@pytest.mark.clause("{DECLARED}")
def test_d_hangs(target):
    """Hangs."""
    _hang()


@pytest.mark.clause("{DECLARED}")
def test_e_hangs(target):
    """Hangs: the third in a row."""
    _hang()


@pytest.mark.clause("{DECLARED}")
def test_f_after(target):
    """Would pass, but its target hangs."""


for _name, _value in list(globals().items()):
    if _name.startswith("test_"):
        _value.__module__ = "{plugin.CHECKS_PACKAGE}.streaks"
'''

PRECONDITION_CHECKS = f'''
import pytest
from sockspec.conformance.harness import HarnessError
from sockspec.conformance.preconditions import blocked


@pytest.mark.clause("{DECLARED}")
def test_rests_on_another_clause(target):
    """Stops: its precondition, stated by another clause, does not hold."""
    blocked("creation.bind_and_activate.parameter", "takes no bind_and_activate parameter")


@pytest.mark.clause("{DECLARED}")
def test_suite_cannot_drive_it(target):
    """The suite itself cannot do what the check needs."""
    raise HarnessError("unknown transport 'carrier-pigeon'")


for _name, _value in list(globals().items()):
    if _name.startswith("test_"):
        _value.__module__ = "{plugin.CHECKS_PACKAGE}.preconditions_fake"
'''


def _results(path: Path) -> list[dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [cast("dict[str, object]", json.loads(line)) for line in lines if line]
    return [record for record in records if record["type"] == "report"]


def test_target_stops_after_three_hangs_in_a_row(run_pytest: RunCli, tmp_path: Path) -> None:
    """Three hung checks in a row: the rest are not run, naming them; one hang alone is not."""
    (tmp_path / "project" / "test_streaks.py").write_text(STREAK_CHECKS, encoding="utf-8")
    results = tmp_path / "results.jsonl"
    run = run_pytest(
        "-p",
        "no:randomly",
        "--sockspec-timeout=0.3",
        "--sockspec-target=socketserver:TCPServer",
        f"--sockspec-results={results}",
    )
    assert "4 failed, 2 passed, 1 skipped" in run.out, run.out[-3000:]
    not_run = {
        str(record["nodeid"]).split("::")[-1]: record.get("not_run")
        for record in _results(results)
        if record.get("not_run")
    }
    assert not_run == {
        "test_f_after[socketserver:TCPServer]": (
            "target hangs: test_c_hangs, test_d_hangs, test_e_hangs"
        )
    }


def test_blocked_and_suite_errors_are_not_failures(run_pytest: RunCli, tmp_path: Path) -> None:
    """blocked() records the clause it rests on; a HarnessError is a suite error, not a FAIL."""
    (tmp_path / "project" / "test_pre.py").write_text(PRECONDITION_CHECKS, encoding="utf-8")
    results = tmp_path / "results.jsonl"
    run = run_pytest(
        "--sockspec-target=socketserver:TCPServer", f"--sockspec-results={results}", "-rs"
    )
    assert run.code == 0, run.out[-3000:]
    assert "2 skipped" in run.out
    by_check = {
        str(record["nodeid"]).split("::")[-1].split("[")[0]: record
        for record in _results(results)
        if record["when"] == "call"
    }
    rests = by_check["test_rests_on_another_clause"]
    assert rests["blocked_by"] == "creation.bind_and_activate.parameter"
    assert rests["blocked_reason"] == "takes no bind_and_activate parameter"
    suite_error = by_check["test_suite_cannot_drive_it"]
    assert suite_error["outcome"] == "skipped"
    assert "suite error, not a verdict on the target" in str(suite_error["not_run"])

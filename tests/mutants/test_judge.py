"""The mutation judge's sockspec verdict: a survivor is judged on every target of the module.

``mutation/judge.py`` first runs sockspec on the targets a mutant can reach (a cheap
kill), and for a mutant that run misses, the module's other targets; these tests replace
the two suite runs by stand-ins and check which targets each run gets and what verdict
comes out.  No suite, cosmic-ray or mutant is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from mutation import judge

PLAN: dict[str, Any] = {"sockspec": {"python": "python"}}


def _stub(
    monkeypatch: pytest.MonkeyPatch,
    verdicts: dict[Optional[tuple[str, ...]], judge.SuiteVerdict],
    expansion: Optional[list[str]],
) -> list[Optional[tuple[str, ...]]]:
    """Stand-ins for the two runs; returns the list of target sets actually run."""
    calls: list[Optional[tuple[str, ...]]] = []

    def fake_run(
        plan: dict[str, Any], workdir: Path, targets: Optional[list[str]]
    ) -> judge.SuiteVerdict:
        key = None if targets is None else tuple(targets)
        calls.append(key)
        return verdicts[key]

    def fake_expansion(plan: dict[str, Any], workdir: Path) -> Optional[list[str]]:
        return expansion

    monkeypatch.setattr(judge, "_sockspec_run", fake_run)
    monkeypatch.setattr(judge, "_module_targets", fake_expansion)
    return calls


SURVIVED: judge.SuiteVerdict = {"verdict": "survived", "reason": "", "seconds": 1.0}
KILLED: judge.SuiteVerdict = {"verdict": "killed", "reason": "UDPServer x.y", "seconds": 2.0}
ERROR: judge.SuiteVerdict = {"verdict": "error", "reason": "exit 3: broken", "seconds": 0.5}


def test_survivor_is_judged_on_the_other_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A mutant the restricted run misses is judged on the module's remaining targets."""
    calls = _stub(
        monkeypatch, {("TCPServer",): SURVIVED, ("UDPServer", "StreamRequestHandler"): KILLED},
        ["TCPServer", "UDPServer", "StreamRequestHandler"],
    )  # fmt: skip
    verdict = judge.judge_sockspec(PLAN, Path("."), ["TCPServer"])
    assert calls == [("TCPServer",), ("UDPServer", "StreamRequestHandler")]
    assert verdict["verdict"] == "killed"
    assert verdict["seconds"] == 3.0
    assert "other 2 targets" in verdict["reason"]


def test_restricted_kill_needs_no_second_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill on the reachable targets is final: nothing else runs."""
    calls = _stub(monkeypatch, {("TCPServer",): KILLED}, ["TCPServer", "UDPServer"])
    assert judge.judge_sockspec(PLAN, Path("."), ["TCPServer"]) == KILLED
    assert calls == [("TCPServer",)]


def test_error_is_never_a_kill(monkeypatch: pytest.MonkeyPatch) -> None:
    """A restricted run that could not judge stays an error; the module is not asked."""
    calls = _stub(monkeypatch, {("TCPServer",): ERROR}, ["TCPServer", "UDPServer"])
    assert judge.judge_sockspec(PLAN, Path("."), ["TCPServer"])["verdict"] == "error"
    assert calls == [("TCPServer",)]


def test_survivor_on_every_target_is_not_run_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the reachable targets are all of the module's, the survivor stands as judged."""
    calls = _stub(monkeypatch, {("TCPServer", "UDPServer"): SURVIVED}, ["UDPServer", "TCPServer"])
    verdict = judge.judge_sockspec(PLAN, Path("."), ["TCPServer", "UDPServer"])
    assert verdict["verdict"] == "survived"
    assert calls == [("TCPServer", "UDPServer")]


def test_unknown_expansion_falls_back_to_the_whole_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the mutated module's targets cannot be listed, the whole module is judged."""
    calls = _stub(monkeypatch, {("TCPServer",): SURVIVED, None: SURVIVED}, None)
    verdict = judge.judge_sockspec(PLAN, Path("."), ["TCPServer"])
    assert calls == [("TCPServer",), None]
    assert verdict["verdict"] == "survived"


def test_mutant_reaching_no_target_gets_every_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """A definition no target reaches is still judged on all of the module's targets."""
    calls = _stub(monkeypatch, {("TCPServer", "UDPServer"): SURVIVED}, ["TCPServer", "UDPServer"])
    verdict = judge.judge_sockspec(PLAN, Path("."), [])
    assert calls == [("TCPServer", "UDPServer")]
    assert verdict["verdict"] == "survived"


def test_only_a_process_that_ended_itself_is_a_crash(tmp_path: Path) -> None:
    """A target's own exit or signal is a crash; a deadline or --maxfail is not."""
    report = tmp_path / "report.json"
    targets = [
        ("m:A", "ended-early", "pytest exited with status 0: "),
        ("m:B", "ended-early", "the pytest process was killed by SIGSEGV (the target crashed?)"),
        ("m:C", "ended-early", "the run exceeded its 60 s deadline and was killed"),
        ("m:D", "not-started", "not run: --maxfail 1 reached"),
        ("m:E", "completed", ""),
    ]
    document = {"targets": [{"target": t, "status": s, "problem": p} for t, s, p in targets]}
    report.write_text(json.dumps(document), encoding="utf-8")
    crashed = judge._crashed_targets(report)  # pyright: ignore[reportPrivateUsage]
    assert [entry.split()[0] for entry in crashed] == ["A", "B"]


def _blocked_document() -> dict[str, Any]:
    """A report with one block carried by its clause's failure and one not carried."""
    row = {"outcome": "passed", "blocked_by": ""}
    return {
        "interrupted": False,
        "targets": [
            {
                "target": "socketserver_m:TCPServer",
                "status": "completed",
                "problem": "",
                "clauses": [
                    {**row, "id": "a.rests", "outcome": "blocked", "blocked_by": "a.base"},
                    {**row, "id": "a.base", "outcome": "failed"},
                    {**row, "id": "b.rests", "outcome": "blocked", "blocked_by": "b.base"},
                    {**row, "id": "b.base"},
                ],
            }
        ],
    }


def test_unverified_blocks_follow_the_cli_rule(tmp_path: Path) -> None:
    """The judge finds the blocks the CLI's UNVERIFIED rule finds, from the JSON report."""
    from sockspec.conformance.render import unverified_blocks

    document = _blocked_document()
    report = tmp_path / "report.json"
    report.write_text(json.dumps(document), encoding="utf-8")
    found = judge._unverified_blocks(report)  # pyright: ignore[reportPrivateUsage]
    assert found == ["TCPServer b.rests blocked by b.base"]
    expected = unverified_blocks(document)  # type: ignore[arg-type]  # a partial document
    assert [(t.split(":")[-1], c, b) for t, c, b in expected] == [
        ("TCPServer", "b.rests", "b.base")
    ]


def test_unverified_run_is_a_kill_marked_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A sockspec run ending UNVERIFIED (exit 1, no failure, a block its clause did not
    carry) judged the mutant: killed, with the block in the reason; exit 1 with nothing of
    the kind in the report stays an error."""
    plan: dict[str, Any] = {
        "sockspec": {
            "cli": "sockspec-conformance",
            "jobs": "1",
            "xfail_file": "x.xfail",
            "check_timeout": "3",
            "target_timeout": "60",
            "run_timeout": "120",
        }
    }
    document = _blocked_document()

    def fake_run(command: list[str], workdir: Path, timeout: float) -> dict[str, Any]:
        (workdir / "sockspec-report.json").write_text(json.dumps(document), encoding="utf-8")
        return {"returncode": 1, "output": "UNVERIFIED: ...", "seconds": 2.0}

    monkeypatch.setattr(judge, "_run", fake_run)
    document["targets"][0]["clauses"][1]["outcome"] = "passed"  # a.base no longer carries
    verdict = judge._sockspec_run(plan, tmp_path, ["TCPServer"])  # pyright: ignore[reportPrivateUsage]
    assert verdict["verdict"] == "killed", verdict
    assert verdict["reason"] == (
        "unverified: TCPServer a.rests blocked by a.base; TCPServer b.rests blocked by b.base"
    )
    for row in document["targets"][0]["clauses"]:
        row["outcome"], row["blocked_by"] = "passed", ""
    verdict = judge._sockspec_run(plan, tmp_path, ["TCPServer"])  # pyright: ignore[reportPrivateUsage]
    assert verdict["verdict"] == "error", verdict

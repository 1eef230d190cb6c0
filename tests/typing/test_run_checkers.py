"""make typing's judge: markers, recorded deviations and the verdict of each case.

These run no type checker: they feed the judge what a checker could have reported.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import List, Set

import pytest

from tests.typing import run_checkers
from tests.typing.checkers import (
    CHECKER_NAMES,
    REPRODUCERS,
    TARGETS,
    Finding,
    case_files,
    expected_findings,
)
from tests.typing.run_checkers import Checker, Deviation, judge

ZUBAN_39 = Checker("zuban", "3.9", "bin/zuban")
A_REJECT_CASE = "reject_handler_pairing.py"


def pinned(checker: Checker) -> Set[Finding]:
    return expected_findings(checker.name, checker.target)


#: An error no case pins: on the first line of an accept case.
EXTRA: Finding = ("accept_pairing.py", 1, "misc")


def recorded(targets: List[str]) -> Deviation:
    """A deviation recorded for ``EXTRA``'s line, on these targets (all when empty)."""
    return {
        "case": EXTRA[0],
        "line": EXTRA[1],
        "targets": targets,
        "reason": "a checker fault",
        "reproducer": "shown.py",
    }


def test_exactly_the_pinned_errors_pass_every_case() -> None:
    """A checker that reports exactly the markers' errors passes every case."""
    cases, unexplained = judge(ZUBAN_39, pinned(ZUBAN_39), [])
    assert unexplained == []
    assert {case["verdict"] for case in cases.values()} == {"pass"}
    assert set(cases) == {path.name for path in case_files()}


def test_a_missing_rejection_fails_its_case() -> None:
    """A pinned error that is not reported fails the case it is in, and only that one."""
    dropped = min(finding for finding in pinned(ZUBAN_39) if finding[0] == A_REJECT_CASE)
    cases, unexplained = judge(ZUBAN_39, pinned(ZUBAN_39) - {dropped}, [])
    assert cases[A_REJECT_CASE]["verdict"] == "fail"
    assert [name for name, case in cases.items() if case["verdict"] != "pass"] == [A_REJECT_CASE]
    assert unexplained == [f"{A_REJECT_CASE}:{dropped[1]}: {dropped[2]} (pinned but not reported)"]


def test_a_recorded_deviation_explains_a_difference() -> None:
    """An unpinned error on a line with a recorded deviation makes the case a deviation."""
    cases, unexplained = judge(ZUBAN_39, pinned(ZUBAN_39) | {EXTRA}, [recorded(["3.9"])])
    assert unexplained == []
    assert cases["accept_pairing.py"] == {
        "verdict": "deviation",
        "notes": ["line 1: a checker fault (reproducer: shown.py)"],
    }


def test_a_deviation_for_another_target_does_not_apply() -> None:
    """A deviation recorded for 3.13 does not excuse the same difference on 3.9."""
    cases, _ = judge(ZUBAN_39, pinned(ZUBAN_39) | {EXTRA}, [recorded(["3.13"])])
    assert cases["accept_pairing.py"]["verdict"] == "fail"


def test_a_stale_deviation_is_reported() -> None:
    """A recorded deviation that no longer happens is unexplained: the file must be updated."""
    _, unexplained = judge(ZUBAN_39, pinned(ZUBAN_39), [recorded([])])
    assert unexplained == ["accept_pairing.py:1: recorded deviation no longer happens"]


@pytest.mark.parametrize("name", sorted(run_checkers.EXACT))
def test_exact_checkers_have_no_deviation_file(name: str) -> None:
    """mypy, pyright and pyrefly must match the markers exactly: no deviations recorded."""
    assert not (run_checkers.DEVIATIONS / f"{name}.json").exists()


def test_deviation_files_name_real_lines_with_reasons() -> None:
    """Each recorded deviation names an existing case line, a known target and a reason."""
    lines = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in case_files()}
    files: List[Path] = sorted(run_checkers.DEVIATIONS.glob("*.json"))
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert path.stem in CHECKER_NAMES
        assert document["checker"] == path.stem
        for deviation in document["deviations"]:
            assert 1 <= deviation["line"] <= lines[deviation["case"]], deviation
            assert set(deviation["targets"]) <= set(TARGETS), deviation
            assert deviation["reason"].strip(), deviation
            assert "\n" not in deviation["reason"], deviation
            shown_by = REPRODUCERS / deviation["reproducer"]
            assert shown_by.is_file(), deviation
            # The reproducer pins an error for this checker: it shows the fault.
            assert any(
                name == shown_by.name
                for target in TARGETS
                for name, _, _ in expected_findings(path.stem, target, [shown_by])
            ), deviation


def test_reproducers_do_not_use_sockspec() -> None:
    """A reproducer shows a checker's fault in plain code: nothing of ours can be its cause."""
    for path in case_files(REPRODUCERS):
        imported: List[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.append(node.module or "")
        assert not [name for name in imported if name.split(".")[0] == "sockspec"], path.name


def test_every_checker_has_a_run_per_target() -> None:
    """make typing runs each of the five checkers once per target."""
    runs = {(checker.name, checker.target) for checker in run_checkers.CHECKERS}
    assert runs == {(name, target) for name in CHECKER_NAMES for target in TARGETS}

"""Static conformance: mypy and pyright accept and reject exactly what the cases pin.

Each file in ``cases/`` is checked by both checkers for a Python 3.9 and a
Python 3.13 target (one run per checker and target over all the cases); the
marker syntax is described in :mod:`tests.typing.checkers`.  The test fails
when a pinned error is no longer reported *and* when anything is reported that
is not pinned, so every other line of every case is an acceptance test.
``make typing`` runs the same cases under pyrefly, ty and zuban too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, Optional

import pytest

from tests.typing.checkers import (
    CHECKER_NAMES,
    CODE,
    FINDERS,
    MARKER,
    TARGETS,
    Run,
    case_files,
    describe,
    expected_findings,
)

CHECKERS = ("mypy", "pyright")


def tool(name: str) -> Optional[Path]:
    path = Path(sys.executable).parent / name
    return path if path.exists() else None


@pytest.mark.static
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("checker", CHECKERS)
def test_checker_reports_exactly_the_pinned_errors(
    checker: str, target: str, tmp_path: Path
) -> None:
    """The checker reports every pinned error of the cases, and nothing else, for the target."""
    executable = tool(checker)
    if executable is None:
        pytest.skip(f"{checker} is not installed next to this interpreter (the dev extra)")
    found = FINDERS[checker](Run(executable, target, Path(sys.executable), tmp_path))
    expected = expected_findings(checker, target)
    missing = expected - found
    unexpected = found - expected
    mismatch = missing | unexpected
    assert not mismatch, (
        f"{checker} --python-version {target}\n"
        f"pinned but not reported:\n{describe(missing)}\n"
        f"reported but not pinned:\n{describe(unexpected)}"
    )


def test_markers_parse() -> None:
    """The marker syntax yields per-checker, per-target expectations."""
    sample = "x = 1  # E@3.9: mypy[attr-defined] pyright[reportAttributeAccessIssue]"
    marker = MARKER.search(sample)
    assert marker is not None
    assert marker.group("target") == "3.9"
    codes: Dict[str, str] = {
        code.group("checker"): code.group("code") for code in CODE.finditer(marker.group("codes"))
    }
    assert codes == {"mypy": "attr-defined", "pyright": "reportAttributeAccessIssue"}


def test_every_case_file_pins_or_accepts() -> None:
    """Reject cases pin at least one error per checker and target; accept cases pin none."""
    for target in TARGETS:
        for checker in CHECKER_NAMES:
            pinned = {name for name, _, _ in expected_findings(checker, target)}
            rejecting = {path.name for path in case_files() if path.name.startswith("reject_")}
            accepting = {path.name for path in case_files() if path.name.startswith("accept_")}
            assert rejecting <= pinned, f"{checker} {target}: reject case without pinned errors"
            assert not accepting & pinned, f"{checker} {target}: accept case pins an error"


def test_cases_do_not_silence_checkers() -> None:
    """No case hides an error with a type: ignore or pyright: ignore comment."""
    for path in case_files():
        text = path.read_text(encoding="utf-8")
        assert "type: ignore" not in text, path.name
        assert "pyright: ignore" not in text, path.name

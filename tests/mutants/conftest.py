"""Print the mutant kill rate at the end of a run of the zoo's tests.

Under pytest-xdist this conftest is not loaded by the controlling process, so
the summary appears in runs of ``tests/mutants`` without ``-n``; with ``-n``
the per-mutant results (passed = killed, xfailed = known survivor) tell the
same story.
"""

from __future__ import annotations

import pytest

_VERDICTS: dict[str, tuple[str, bool]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect each mutant's verdict from the property its test records."""
    for name, value in report.user_properties:
        if name == "sockspec_mutant" and isinstance(value, tuple):
            target, clause, killed = value  # pyright: ignore[reportUnknownVariableType]
            _VERDICTS[str(target)] = (str(clause), bool(killed))  # pyright: ignore[reportUnknownArgumentType]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the kill rate and each surviving mutant with its clause."""
    if not _VERDICTS:
        return
    killed = sum(1 for _, was_killed in _VERDICTS.values() if was_killed)
    total = len(_VERDICTS)
    terminalreporter.write_line(
        f"sockspec mutant kill rate: {killed}/{total} = {100.0 * killed / total:.1f}%"
    )
    for target, (clause, was_killed) in sorted(_VERDICTS.items()):
        if not was_killed:
            terminalreporter.write_line(f"  survivor: {target} on {clause}")

"""What a conformance check's report carries: blocked and not-run verdicts, reproducers.

* A check that stopped with :func:`~sockspec.conformance.preconditions.blocked`
  gets ``sockspec.blocked_by`` (the clause it rests on) and
  ``sockspec.blocked_reason``; pytest counts it as skipped.
* A :class:`~sockspec.conformance.harness.HarnessError` means the suite could not
  drive the target the way the check needs: that is never the target's failure.
  The report becomes a skip with ``sockspec.not_run`` naming the suite error.
* A failing check shows a reproducer: the ``reproducer=`` keyword of its clause
  marker if it gives one (``{module}``, ``{qualname}`` and ``{spec}`` are filled
  in), then the commands that rerun just this check.
"""

from __future__ import annotations

import textwrap
from collections.abc import Generator

import pytest

from ..harness import HarnessError
from ..preconditions import Blocked
from ..state import (
    CHECKS_PACKAGE,
    PROP_BLOCKED_BY,
    PROP_BLOCKED_REASON,
    PROP_NOT_RUN,
    PROP_REPRODUCER,
    STATE_KEY,
    clause_marks,
    clause_of,
    is_check_item,
    item_target,
)
from ..targets import Target

__all__ = ["pytest_runtest_makereport", "pytest_terminal_summary", "reproducer_for"]


def reproducer_for(item: pytest.Item, target: Target) -> str:
    """A few lines a user can paste to rerun one failing check against one target."""
    marks = clause_marks(item)
    clause_id = clause_of(item) or "?"
    lines: list[str] = []
    doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
    if doc:
        lines.append(f"# expected: {doc.splitlines()[0]}")
    custom = marks[0].kwargs.get("reproducer") if marks else None
    if isinstance(custom, str) and custom.strip():
        module, _, qualname = target.spec.split("[", 1)[0].partition(":")
        try:
            snippet = (
                textwrap.dedent(custom)
                .strip()
                .format(module=module, qualname=qualname, spec=target.spec)
            )
        except (KeyError, IndexError, ValueError):
            snippet = textwrap.dedent(custom).strip()
        lines.append(snippet)
    function_name = getattr(item, "originalname", item.name)
    lines.append(f"sockspec-conformance '{target.spec}' --clause '{clause_id}'")
    lines.append(
        f"python -m pytest --pyargs {CHECKS_PACKAGE} --sockspec-target '{target.spec}' "
        f"-k '{function_name}'"
    )
    return "\n".join(lines)


def _as_skip(report: pytest.TestReport, item: pytest.Item, reason: str) -> None:
    path, lineno, _ = item.location
    report.outcome = "skipped"
    report.longrepr = (str(path), (lineno or 0) + 1, f"Skipped: {reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record blocked checks and suite errors; attach the reproducer to a failing check."""
    report = yield
    if not is_check_item(item):
        return report
    excinfo = call.excinfo
    if excinfo is not None and isinstance(excinfo.value, Blocked):
        if excinfo.value.clause_id != clause_of(item):
            report.user_properties.append((PROP_BLOCKED_BY, excinfo.value.clause_id))
            report.user_properties.append((PROP_BLOCKED_REASON, excinfo.value.reason))
            return report
        # The precondition found broken is this check's own clause: that is its verdict.
        report.outcome = "failed"
        report.longrepr = f"AssertionError: {excinfo.value.reason}"
    if excinfo is not None and isinstance(excinfo.value, HarnessError) and report.failed:
        reason = f"suite error, not a verdict on the target: {excinfo.value}"
        _as_skip(report, item, reason)
        report.user_properties.append((PROP_NOT_RUN, reason))
        return report
    target = item_target(item)
    if report.failed and target is not None and not hasattr(report, "wasxfail"):
        text = reproducer_for(item, target)
        report.sections.append(("sockspec reproducer", text))
        report.user_properties.append((PROP_REPRODUCER, text))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name xfail entries that matched no applicable check (they are not silently ignored)."""
    state = terminalreporter.config.stash.get(STATE_KEY, None)
    # Under pytest-xdist the controller collects nothing itself; the workers know the matches.
    if state is None or not state.xfails or not state.checks_collected:
        return
    unmatched = state.unmatched_xfails()
    if unmatched:
        terminalreporter.section("sockspec: unmatched xfail entries")
        for entry in unmatched:
            terminalreporter.write_line(f"{entry.label} matched no applicable check")

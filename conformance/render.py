"""Turning a report document into text for people and JUnit XML for CI systems."""

from __future__ import annotations

import os
import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import IO

from .records import ClauseRow, Outcome, ReportDocument, Tally, TargetReport

__all__ = [
    "LABELS",
    "junit_xml",
    "text_report",
    "unverified_blocks",
    "use_colour",
    "verdict_word",
]

#: How each clause outcome is shown, fixed width so the columns line up without colour.
LABELS: dict[Outcome, str] = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "xfailed": "XFAIL",
    "xpassed": "XPASS",
    "blocked": "BLOCKED",
    "not-run": "NOT RUN",
    "not-applicable": "N/A",
    "untested": "UNTESTED",
}
_COLOURS: dict[str, str] = {
    "passed": "32",
    "failed": "31;1",
    "error": "31;1",
    "skipped": "33",
    "xfailed": "33",
    "xpassed": "35",
    "blocked": "34",
    "not-run": "35",
    "not-applicable": "2",
    "untested": "36",
}
# Outcomes listed one row each at each verbosity (-q, default, -v); untested and unrun
# clauses not listed are summed up in one paragraph per target instead.
_SHOWN: dict[int, frozenset[Outcome]] = {
    -1: frozenset({"failed", "error", "xpassed"}),
    0: frozenset({"failed", "error", "xpassed", "xfailed", "skipped", "blocked", "passed"}),
    1: frozenset(LABELS),
}
_WIDTH = 100


def use_colour(stream: IO[str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _percent(tally: Tally) -> str:
    rate = tally["pass_rate"]
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def _summary_line(tally: Tally) -> str:
    line = f"{tally['passed']}/{tally['applicable']} applicable clauses passed ({_percent(tally)})"
    counts = (
        ("failed", tally["failed"]),
        ("error", tally["error"]),
        ("blocked", tally["blocked"]),
        ("not run", tally["not-run"]),
        ("xfailed", tally["xfailed"]),
        ("xpassed", tally["xpassed"]),
        ("skipped", tally["skipped"]),
        ("untested", tally["untested"]),
    )
    return line + "".join(f", {count} {name}" for name, count in counts if count)


class _Writer:
    def __init__(self, colour: bool) -> None:
        self.colour = colour
        self.lines: list[str] = []

    def paint(self, text: str, outcome: str) -> str:
        if not self.colour:
            return text
        return f"\033[{_COLOURS.get(outcome, '0')}m{text}\033[0m"

    def line(self, text: str = "") -> None:
        self.lines.append(text)


def _clause_line(out: _Writer, row: ClauseRow) -> None:
    outcome = row["outcome"]
    label = out.paint(f"{LABELS[outcome]:<8}", outcome)
    seconds = row["seconds"]
    timing = f"{seconds:6.2f}s" if seconds else "       "
    text, ident = row["text"], row["id"]
    room = max(20, _WIDTH - 4 - 9 - len(ident) - 2 - 8)
    if len(text) > room:
        text = text[: room - 3] + "..."
    out.line(f"    {label} {ident}  {text}  {timing}".rstrip())
    message = row["message"]
    if message and outcome not in ("passed", "untested"):
        for piece in _without_pytest_hints(message)[:8]:
            out.line(f"             {piece}")
    if row["reproducer"]:
        out.line("             reproduce:")
        out.line(textwrap.indent(row["reproducer"], " " * 15))


#: pytest's advice inside an assertion message; this command's -v means something else.
_PYTEST_HINT = re.compile(r"^\s*(Use -v+ to get (more|the full) diff|Full diff:)")


def _without_pytest_hints(message: str) -> list[str]:
    return [piece for piece in message.splitlines() if not _PYTEST_HINT.match(piece)]


def _listed(out: _Writer, heading: str, ids: Sequence[str]) -> None:
    out.line(heading)
    out.line(textwrap.indent(textwrap.fill(", ".join(ids), _WIDTH - 4), "    "))


def _without_not_run(reason: str) -> str:
    return reason.removeprefix("not run: ")


def _unlisted(out: _Writer, rows: Sequence[ClauseRow], shown: frozenset[Outcome]) -> None:
    """Untested and unrun clauses not shown one by one: one paragraph per reason."""
    untested = [row["id"] for row in rows if row["outcome"] == "untested"]
    if untested and "untested" not in shown:
        _listed(out, f"  untested (applicable, no check yet): {len(untested)}", untested)
    if "not-run" in shown:
        return
    by_reason: dict[str, list[str]] = {}
    for row in rows:
        if row["outcome"] == "not-run":
            by_reason.setdefault(row["message"], []).append(row["id"])
    for reason, ids in by_reason.items():
        label = out.paint("NOT RUN", "not-run")
        _listed(out, f"  {label} {len(ids)} clause(s), {_without_not_run(reason)}:", ids)


def _target_block(
    out: _Writer, target: TargetReport, titles: Mapping[str, str], verbosity: int
) -> None:
    out.line(f"== {target['target']} [{','.join(target['traits'])}] ({target['kind']}) ==")
    status, problem = target["status"], target["problem"]
    if status == "problem":
        # One line for a target nothing could be verified about, not a verdict per clause.
        out.line(out.paint(f"   PROBLEM: {problem}", "error"))
        if target["hint"]:
            out.line(f"   {target['hint']}")
        out.line(f"  summary: not verified ({target['summary']['applicable']} applicable clauses)")
        out.line()
        return
    if problem and status in ("interrupted", "not-started"):
        out.line(out.paint(f"   NOT RUN: {_without_not_run(problem)}", "not-run"))
    elif problem:
        out.line(out.paint(f"   run ended early: {problem}", "error"))
    shown = _SHOWN[max(-1, min(1, verbosity))]
    by_section: dict[str, list[ClauseRow]] = {}
    for row in target["clauses"]:
        by_section.setdefault(row["section"], []).append(row)
    for section, rows in by_section.items():
        visible = [row for row in rows if row["outcome"] in shown]
        if not visible:
            continue
        out.line(f"  {section}: {titles.get(section, section)}")
        for row in visible:
            _clause_line(out, row)
    _unlisted(out, target["clauses"], shown)
    out.line(f"  summary: {_summary_line(target['summary'])}")
    out.line()


def verdict_word(doc: ReportDocument) -> str:
    """The report's last word: INTERRUPTED, FAILED, UNVERIFIED or PASSED.

    FAILED: a failure or an unusable target.  UNVERIFIED (also exit status 1): nothing
    failed, but a check was blocked by a clause that did not fail or xfail in this run
    (say ``--clause`` selected only the dependent clauses): blocked means unverified,
    and the clause it rests on was not seen to carry the failure.
    """
    if doc["interrupted"]:
        return "INTERRUPTED"
    summary = doc["summary"]
    broken = any(target["status"] in ("problem", "ended-early") for target in doc["targets"])
    if summary["failed"] or summary["error"] or broken:
        return "FAILED"
    return "UNVERIFIED" if unverified_blocks(doc) else "PASSED"


def unverified_blocks(doc: ReportDocument) -> list[tuple[str, str, str]]:
    """(target, clause, blocked_by) for each block whose clause did not carry a failure."""
    found: list[tuple[str, str, str]] = []
    for target in doc["targets"]:
        outcomes = {row["id"]: row["outcome"] for row in target["clauses"]}
        for row in target["clauses"]:
            carried = outcomes.get(row["blocked_by"]) in ("failed", "error", "xfailed")
            if row["outcome"] == "blocked" and not carried:
                found.append((target["target"], row["id"], row["blocked_by"]))
    return found


def _section_table(out: _Writer, doc: ReportDocument) -> None:
    out.line("summary by section (all targets):")
    out.line(
        f"    {'section':<22} {'applicable':>10} {'passed':>7} {'failed':>7} {'blocked':>8}"
        f" {'not run':>8} {'rate':>7}"
    )
    for section, tally in doc["summary"]["by_section"].items():
        out.line(
            f"    {section:<22} {tally['applicable']:>10} {tally['passed']:>7}"
            f" {tally['failed'] + tally['error']:>7} {tally['blocked']:>8}"
            f" {tally['not-run']:>8} {_percent(tally):>7}"
        )


def text_report(
    doc: ReportDocument, titles: Mapping[str, str], *, verbosity: int = 0, colour: bool = False
) -> str:
    """The clause report: per target, clauses grouped by section, then the summaries."""
    out = _Writer(colour)
    out.line(
        f"sockspec conformance report (edition {doc['edition']}, "
        f"Python {doc['python']}, sockspec {doc['sockspec_version']})"
    )
    out.line()
    for target in doc["targets"]:
        _target_block(out, target, titles, verbosity)
    if doc["xfail_unmatched"]:
        out.line(out.paint("xfail entries that matched no applicable check:", "xpassed"))
        for entry in doc["xfail_unmatched"]:
            out.line(
                f"    line {entry['line']}: {entry['target']} {entry['clause']}"
                f"  ({entry['reason']})"
            )
        out.line()
    _section_table(out, doc)
    summary = doc["summary"]
    word = verdict_word(doc)
    problems = sum(1 for target in doc["targets"] if target["status"] == "problem")
    unusable = f", {problems} target(s) could not be verified" if problems else ""
    why = f" ({doc['interrupted']})" if doc["interrupted"] else ""
    out.line()
    for spec, clause, by in unverified_blocks(doc)[:5]:
        out.line(f"  unverified: {spec} {clause} is blocked by {by}, which did not fail here")
    out.line(
        out.paint(f"{word}{why}: ", "passed" if word == "PASSED" else "failed")
        + f"{summary['targets']} target(s){unusable}, {_summary_line(summary)}"
    )
    return "\n".join(out.lines) + "\n"


def _problem_suite(suite: ET.Element, target: TargetReport) -> None:
    """A target that could not be verified: one error case, not one per clause."""
    case = ET.SubElement(suite, "testcase", classname=target["target"], name="target", time="0")
    detail = "\n".join(x for x in (target["problem"], target["hint"]) if x)
    ET.SubElement(case, "error", message=target["problem"]).text = detail
    for key, value in (("tests", 1), ("failures", 0), ("errors", 1), ("skipped", 0)):
        suite.set(key, str(value))
    suite.set("time", f"{target['seconds']:.3f}")


def _clause_case(suite: ET.Element, target: TargetReport, row: ClauseRow) -> str:
    """Add one clause's test case; returns the JUnit counter it adds to."""
    outcome = row["outcome"]
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{target['target']}.{row['section']}",
        name=row["id"],
        time=f"{row['seconds']:.3f}",
    )
    props = ET.SubElement(case, "properties")
    ET.SubElement(props, "property", name="clause", value=row["id"])
    ET.SubElement(props, "property", name="outcome", value=outcome)
    if row["blocked_by"]:
        ET.SubElement(props, "property", name="blocked_by", value=row["blocked_by"])
    message = row["message"]
    detail = "\n".join(x for x in (message, row["reproducer"]) if x)
    if outcome == "failed":
        ET.SubElement(case, "failure", message=message).text = detail
        return "failures"
    if outcome == "error":
        ET.SubElement(case, "error", message=message).text = detail
        return "errors"
    if outcome in ("skipped", "xfailed", "untested", "blocked", "not-run"):
        # A blocked row's message already reads "blocked by <clause>: ...": say it once.
        said = message.startswith(f"{outcome} ") or message.startswith(f"{outcome}:")
        ET.SubElement(case, "skipped", message=message if said else f"{outcome}: {message}")
        return "skipped"
    if outcome == "xpassed":
        ET.SubElement(case, "system-out").text = f"xpassed: {message}"
    return ""


def junit_xml(doc: ReportDocument) -> bytes:
    """JUnit XML: a test suite per target, a test case per applicable clause."""
    root = ET.Element("testsuites", name="sockspec-conformance")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for target in doc["targets"]:
        suite = ET.SubElement(root, "testsuite", name=target["target"])
        if target["status"] == "problem":
            _problem_suite(suite, target)
        else:
            counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
            elapsed = 0.0
            for row in target["clauses"]:
                if row["outcome"] == "not-applicable":
                    continue
                elapsed += row["seconds"]
                counts["tests"] += 1
                counter = _clause_case(suite, target, row)
                if counter:
                    counts[counter] += 1
            for key, value in counts.items():
                suite.set(key, str(value))
            suite.set("time", f"{elapsed:.3f}")
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body

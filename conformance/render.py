"""Turning a report document into text for people and JUnit XML for CI systems."""

from __future__ import annotations

import os
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import IO, cast

__all__ = ["LABELS", "junit_xml", "text_report", "use_colour"]

Doc = Mapping[str, object]

#: How each clause outcome is shown, fixed width so the columns line up without colour.
LABELS = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "ERROR",
    "skipped": "SKIP",
    "xfailed": "XFAIL",
    "xpassed": "XPASS",
    "not-applicable": "N/A",
    "untested": "UNTESTED",
}
_COLOURS = {
    "passed": "32",
    "failed": "31;1",
    "error": "31;1",
    "skipped": "33",
    "xfailed": "33",
    "xpassed": "35",
    "not-applicable": "2",
    "untested": "36",
}
# Outcomes shown at each verbosity (-q, default, -v): failures always, passes by default.
_SHOWN = {
    -1: {"failed", "error", "xpassed"},
    0: {"failed", "error", "xpassed", "xfailed", "skipped", "untested", "passed"},
    1: set(LABELS),
}
_WIDTH = 100


def use_colour(stream: IO[str]) -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _rows(doc: Doc, key: str) -> list[Doc]:
    return cast("list[Doc]", doc.get(key, []))


def _dict(doc: Doc, key: str) -> Doc:
    return cast("Doc", doc.get(key, {}))


def _percent(summary: Doc) -> str:
    rate = summary.get("pass_rate")
    return "n/a" if not isinstance(rate, (int, float)) else f"{100 * rate:.1f}%"


def _summary_line(summary: Doc) -> str:
    line = (
        f"{summary.get('passed', 0)}/{summary.get('applicable', 0)} applicable clauses passed "
        f"({_percent(summary)})"
    )
    for key in ("failed", "error", "xfailed", "xpassed", "skipped", "untested"):
        count = summary.get(key, 0)
        if count:
            line += f", {count} {key}"
    return line


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


def _clause_line(out: _Writer, row: Doc) -> None:
    outcome = str(row.get("outcome"))
    label = out.paint(f"{LABELS.get(outcome, outcome):<8}", outcome)
    seconds = row.get("seconds")
    timing = f"{seconds:6.2f}s" if isinstance(seconds, (int, float)) and seconds else "       "
    text = str(row.get("text", ""))
    ident = str(row.get("id"))
    room = max(20, _WIDTH - 4 - 9 - len(ident) - 2 - 8)
    if len(text) > room:
        text = text[: room - 3] + "..."
    out.line(f"    {label} {ident}  {text}  {timing}".rstrip())
    message = str(row.get("message") or "")
    if message and outcome not in ("passed", "untested"):
        for piece in message.splitlines()[:8]:
            out.line(f"             {piece}")
    reproducer = str(row.get("reproducer") or "")
    if reproducer:
        out.line("             reproduce:")
        out.line(textwrap.indent(reproducer, " " * 15))


def _target_block(out: _Writer, target: Doc, titles: Mapping[str, str], verbosity: int) -> None:
    traits = ",".join(cast("list[str]", target.get("traits", [])))
    out.line(f"== {target.get('target')} [{traits}] ({target.get('kind')}) ==")
    problem = str(target.get("problem") or "")
    if problem:
        out.line(out.paint(f"   run ended early: {problem}", "error"))
    shown = _SHOWN[max(-1, min(1, verbosity))]
    by_section: dict[str, list[Doc]] = {}
    for row in _rows(target, "clauses"):
        by_section.setdefault(str(row.get("section")), []).append(row)
    for section, rows in by_section.items():
        visible = [row for row in rows if str(row.get("outcome")) in shown]
        if not visible:
            continue
        out.line(f"  {section}: {titles.get(section, section)}")
        for row in visible:
            _clause_line(out, row)
    untested = [
        str(r.get("id")) for r in _rows(target, "clauses") if r.get("outcome") == "untested"
    ]
    if untested and "untested" not in shown:
        out.line(f"  untested (applicable, no check yet): {len(untested)}")
        out.line(textwrap.indent(textwrap.fill(", ".join(untested), _WIDTH - 4), "    "))
    summary = _dict(target, "summary")
    out.line(f"  summary: {_summary_line(summary)}")
    out.line()


def text_report(
    doc: Doc, titles: Mapping[str, str], *, verbosity: int = 0, colour: bool = False
) -> str:
    """The clause report: per target, clauses grouped by section, then the summaries."""
    out = _Writer(colour)
    out.line(
        f"sockspec conformance report (edition {doc.get('edition')}, "
        f"Python {doc.get('python')}, sockspec {doc.get('sockspec_version')})"
    )
    out.line()
    for target in _rows(doc, "targets"):
        _target_block(out, target, titles, verbosity)
    unmatched = _rows(doc, "xfail_unmatched")
    if unmatched:
        out.line(out.paint("xfail entries that matched no applicable check:", "xpassed"))
        for entry in unmatched:
            out.line(
                f"    line {entry.get('line')}: {entry.get('target')} {entry.get('clause')}"
                f"  ({entry.get('reason')})"
            )
        out.line()
    summary = _dict(doc, "summary")
    out.line("summary by section (all targets):")
    out.line(f"    {'section':<22} {'applicable':>10} {'passed':>7} {'failed':>7} {'rate':>7}")
    for section, tally in cast("dict[str, Doc]", summary.get("by_section", {})).items():
        failed = cast("int", tally.get("failed", 0)) + cast("int", tally.get("error", 0))
        out.line(
            f"    {section:<22} {tally.get('applicable', 0)!s:>10} {tally.get('passed', 0)!s:>7}"
            f" {failed!s:>7} {_percent(tally):>7}"
        )
    overall = _summary_line(summary)
    failing = cast("int", summary.get("failed", 0)) + cast("int", summary.get("error", 0))
    verdict = "FAILED" if failing else "PASSED"
    out.line()
    out.line(
        out.paint(f"{verdict}: ", "failed" if failing else "passed")
        + f"{summary.get('targets', 0)} target(s), {overall}"
    )
    return "\n".join(out.lines) + "\n"


def junit_xml(doc: Doc) -> bytes:
    """JUnit XML: a test suite per target, a test case per applicable clause."""
    root = ET.Element("testsuites", name="sockspec-conformance")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for target in _rows(doc, "targets"):
        suite = ET.SubElement(root, "testsuite", name=str(target.get("target")))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        elapsed = 0.0
        for row in _rows(target, "clauses"):
            outcome = str(row.get("outcome"))
            if outcome == "not-applicable":
                continue
            seconds = row.get("seconds")
            elapsed += seconds if isinstance(seconds, (int, float)) else 0.0
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{target.get('target')}.{row.get('section')}",
                name=str(row.get("id")),
                time=f"{seconds if isinstance(seconds, (int, float)) else 0:.3f}",
            )
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="clause", value=str(row.get("id")))
            ET.SubElement(props, "property", name="outcome", value=outcome)
            counts["tests"] += 1
            message = str(row.get("message") or "")
            detail = "\n".join(x for x in (message, str(row.get("reproducer") or "")) if x)
            if outcome == "failed":
                ET.SubElement(case, "failure", message=message).text = detail
                counts["failures"] += 1
            elif outcome == "error":
                ET.SubElement(case, "error", message=message).text = detail
                counts["errors"] += 1
            elif outcome in ("skipped", "xfailed", "untested"):
                ET.SubElement(case, "skipped", message=f"{outcome}: {message}")
                counts["skipped"] += 1
            elif outcome == "xpassed":
                ET.SubElement(case, "system-out").text = f"xpassed: {message}"
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{elapsed:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def section_titles(sections: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Section ID -> title, for :func:`text_report`."""
    return dict(sections)

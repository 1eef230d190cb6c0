"""What several conformance reports say together: the findings of the matrix, decided once.

Reports come from runs under several Pythons and both editions (``make matrix``).  Both
readers of those reports, ``python -m sockspec.conformance.compare`` (JSON and Markdown)
and the documentation's matrix page, list the same findings, computed here:

* ``version-difference``: the same subject (a class, or a whole implementation) keeps a
  clause under some Pythons and breaks it under others;
* ``deviation``: a clause of the current edition that a subject breaks under every Python
  run;
* ``classic-vs-today``: the same for the classic edition (the Python 2.4 text);
* ``target-availability``: a class that only some of the Pythons have.

A finding exists only where something broke (failed, error or xpassed).  Reading is
forgiving, since reports written by another version of sockspec may lack fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, cast

from .records import REPORT_FORMAT, SEVERITY, Outcome

__all__ = [
    "PROBLEMS",
    "Finding",
    "FindingKind",
    "Verdict",
    "findings",
    "implementation_of",
    "json_object",
    "json_objects",
    "load_report",
    "most_serious",
    "python_key",
    "python_label",
    "read_verdicts",
]

#: Outcomes that make a finding: the subject does not do what the clause says.
PROBLEMS: tuple[Outcome, ...] = ("error", "failed", "xpassed")
# Read with outcome names from any report, so keyed by plain strings.
_RANKS: dict[str, int] = {outcome: rank for outcome, rank in SEVERITY.items()}

FindingKind = Literal["version-difference", "deviation", "classic-vs-today", "target-availability"]


@dataclass(frozen=True)
class Verdict:
    """One clause verdict of one target, under one Python (major.minor), against one edition."""

    edition: str
    python: str
    target: str
    clause: str
    section: str
    text: str
    outcome: str
    message: str


@dataclass(frozen=True)
class Finding:
    """One finding: which subject and clause, the verdict per Python, and what broke."""

    kind: FindingKind
    edition: str
    #: A target (``module:Class``) or an implementation (``module``), as grouped.
    subject: str
    #: "" for a target-availability finding.
    clause: str
    #: Python -> the most serious outcome there (every Python the subject ran under).
    by_python: dict[str, str]
    #: The verdicts that broke, in Python order.
    problems: tuple[Verdict, ...]

    @property
    def detail(self) -> str:
        """The first failure message (for availability: which Pythons have the subject)."""
        if self.kind == "target-availability":
            return f"only in Python {', '.join(self.by_python)}"
        return next((v.message for v in self.problems if v.message), "")


def python_key(python: str) -> tuple[int, ...]:
    """Sort key of a Python label: ``3.9`` < ``3.12.1`` < ``PyPy 3.9`` (CPython first)."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", python))
    return (0 if python[:1].isdigit() else 1, *numbers)


def python_label(document: Mapping[str, object]) -> str:
    """A report's Python as the matrix names it: ``3.12``, or ``PyPy 3.9`` for another one."""
    minor = ".".join(_text(document.get("python"), "?").split(".")[:2])
    implementation = _text(document.get("implementation"), "CPython")
    return minor if implementation == "CPython" else f"{implementation} {minor}"


def implementation_of(target: str) -> str:
    """The module part of a target: ``socketserver`` for ``socketserver:TCPServer[...]``."""
    return target.split(":", 1)[0].split("[", 1)[0]


def most_serious(outcomes: Iterable[str]) -> str:
    """The most serious of ``outcomes`` (unknown ones rank last), or "" for none."""
    return max(outcomes, key=lambda o: _RANKS.get(o, 0), default="")


def load_report(path: Path) -> Mapping[str, object]:
    """A report document read from ``path``; ``ValueError`` says why it is not one."""
    try:
        document: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: cannot read a JSON report: {error}") from error
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a {REPORT_FORMAT} report")
    fields = cast("dict[str, object]", document)
    if fields.get("format") != REPORT_FORMAT:
        raise ValueError(f"{path}: not a {REPORT_FORMAT} report")
    return fields


def json_object(value: object) -> Mapping[str, object]:
    """``value`` if it is a decoded JSON object, else an empty one."""
    return cast("Mapping[str, object]", value) if isinstance(value, dict) else {}


def json_objects(value: object) -> list[Mapping[str, object]]:
    """The JSON objects in ``value`` if it is a decoded JSON array, else none."""
    if not isinstance(value, list):
        return []
    items = cast("list[object]", value)
    return [cast("Mapping[str, object]", item) for item in items if isinstance(item, dict)]


def _text(value: object, default: str = "") -> str:
    return value if isinstance(value, str) else default


def read_verdicts(document: Mapping[str, object]) -> list[Verdict]:
    """Every clause verdict of a report document."""
    python = python_label(document)
    edition = _text(document.get("edition"), "current")
    return [
        Verdict(
            edition=edition,
            python=python,
            target=_text(target.get("target"), "?"),
            clause=_text(row.get("id")),
            section=_text(row.get("section")),
            text=_text(row.get("text")),
            outcome=_text(row.get("outcome"), "untested"),
            message=_text(row.get("message")),
        )
        for target in json_objects(document.get("targets"))
        for row in json_objects(target.get("clauses"))
    ]


def _by_python(verdicts: Iterable[Verdict]) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for verdict in verdicts:
        grouped.setdefault(verdict.python, []).append(verdict.outcome)
    return {python: most_serious(grouped[python]) for python in sorted(grouped, key=python_key)}


def _availability(verdicts: Sequence[Verdict]) -> list[Finding]:
    pythons = {verdict.python for verdict in verdicts}
    present: dict[str, set[str]] = {}
    for verdict in verdicts:
        present.setdefault(verdict.target, set()).add(verdict.python)
    return [
        Finding(
            "target-availability",
            "",
            name,
            "",
            {python: "" for python in sorted(found, key=python_key)},
            (),
        )
        for name, found in sorted(present.items())
        if pythons - found
    ]


def _target(verdict: Verdict) -> str:
    return verdict.target


def findings(
    verdicts: Sequence[Verdict], subject: Optional[Callable[[Verdict], str]] = None
) -> list[Finding]:
    """The findings of ``verdicts``, grouped by ``subject`` (default: the target).

    Availability is always per target: a class that some Pythons lack.
    """
    name_of = subject or _target
    groups: dict[tuple[str, str, str], list[Verdict]] = {}
    for verdict in verdicts:
        groups.setdefault((verdict.edition, name_of(verdict), verdict.clause), []).append(verdict)
    found: list[Finding] = []
    for (edition, name, clause), own in sorted(groups.items()):
        problems = sorted(
            (v for v in own if v.outcome in PROBLEMS),
            key=lambda v: (python_key(v.python), v.target),
        )
        if not problems:
            continue
        by_python = _by_python(own)
        judged = set(by_python.values()) - {"not-applicable"}
        kind: FindingKind
        if len(judged) > 1:
            kind = "version-difference"
        elif edition == "classic":
            kind = "classic-vs-today"
        else:
            kind = "deviation"
        found.append(Finding(kind, edition, name, clause, by_python, tuple(problems)))
    return found + _availability(verdicts)

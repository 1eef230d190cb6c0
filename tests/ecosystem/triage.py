"""The triage of every clause the ecosystem run does not pass, read from ``triage.json``.

Each entry explains the failures of one clause (a glob) on some targets (a glob over the
report's target names) in one line:

``deviation``
    the package breaks the documented behaviour; ``where`` is the ``file:line`` of the
    installed package source that causes it;
``inherited``
    the package inherits a known deviation of the standard library (listed in
    ``conformance/xfails/stdlib.xfail``); ``where`` names the stdlib code;
``suite-defect``
    the suite was wrong; ``where`` names the suite code, and the entry stays only until
    the fix lands (a fixed defect no longer fails, and a stale entry is reported).

A target the suite could not verify at all (its report's ``problem``) is a finding with the
clause ``*``; an entry for it writes the clause ``[*]`` (the glob that matches ``*`` only), so
that it does not also cover the target's other clauses.

A failing clause without an entry is a possible false positive: ``make ecosystem`` lists
it and exits non-zero, and ``tests/ecosystem/test_triage.py`` fails on committed results.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypedDict, cast

__all__ = [
    "NOT_PASSING",
    "TRIAGE_FILE",
    "Finding",
    "TriageEntry",
    "TriageError",
    "findings",
    "load_triage",
    "match",
]

Kind = Literal["deviation", "inherited", "suite-defect"]
KINDS: tuple[Kind, ...] = ("deviation", "inherited", "suite-defect")
TRIAGE_FILE = Path(__file__).with_name("triage.json")
#: Clause outcomes that need a triage line (blocked and not-run name their own cause).
NOT_PASSING = frozenset({"failed", "error", "xpassed"})


class TriageError(ValueError):
    """A malformed triage file; the message says which entry and why."""


@dataclass(frozen=True)
class TriageEntry:
    """One line of triage: why ``clause`` does not pass on ``target``."""

    target: str
    clause: str
    kind: Kind
    where: str
    why: str

    def covers(self, target: str, clause: str) -> bool:
        """Whether this entry explains ``clause`` failing on ``target`` (glob match)."""
        return fnmatch.fnmatchcase(target, self.target) and fnmatch.fnmatchcase(clause, self.clause)


@dataclass(frozen=True)
class Finding:
    """A clause that did not pass on a target of one package's report."""

    package: str
    target: str
    clause: str
    outcome: str
    message: str


class _RawEntry(TypedDict):
    target: str
    clause: str
    kind: str
    where: str
    why: str


def load_triage(path: Path = TRIAGE_FILE) -> list[TriageEntry]:
    """The entries of a triage file; :class:`TriageError` for a malformed one."""
    raw = cast(object, json.loads(path.read_text(encoding="utf-8")))
    if not isinstance(raw, list):
        raise TriageError(f"{path}: expected a JSON array of entries")
    entries: list[TriageEntry] = []
    for index, item in enumerate(cast("list[object]", raw)):
        if not isinstance(item, dict) or set(cast("dict[str, object]", item)) != set(
            _RawEntry.__annotations__
        ):
            raise TriageError(
                f"{path}: entry {index} must have exactly {sorted(_RawEntry.__annotations__)}"
            )
        fields = cast("dict[str, object]", item)
        if not all(isinstance(value, str) and value.strip() for value in fields.values()):
            raise TriageError(f"{path}: entry {index} has an empty or non-string field")
        entry = cast(_RawEntry, fields)
        kind = entry["kind"]
        if kind not in KINDS:
            raise TriageError(f"{path}: entry {index} kind {kind!r} is not one of {KINDS}")
        entries.append(
            TriageEntry(entry["target"], entry["clause"], kind, entry["where"], entry["why"])
        )
    return entries


def findings(package: str, report: object) -> list[Finding]:
    """The clauses of a suite ``--json`` report that need triage, and targets with a problem.

    A target the suite could not verify at all (its ``problem`` field) is one finding with
    the clause ``*`` (matched by an entry's ``[*]``).
    """
    found: list[Finding] = []
    document = cast("dict[str, object]", report) if isinstance(report, dict) else {}
    for target_raw in cast("list[object]", document.get("targets") or []):
        target = cast("dict[str, object]", target_raw)
        name = str(target.get("target", "?"))
        problem = target.get("problem")
        if isinstance(problem, str) and problem:
            found.append(Finding(package, name, "*", "problem", problem))
        for clause_raw in cast("list[object]", target.get("clauses") or []):
            clause = cast("dict[str, object]", clause_raw)
            outcome = str(clause.get("outcome", ""))
            if outcome in NOT_PASSING:
                found.append(
                    Finding(
                        package,
                        name,
                        str(clause.get("id", "?")),
                        outcome,
                        str(clause.get("message", "")),
                    )
                )
    return found


def match(
    found: list[Finding], entries: list[TriageEntry]
) -> tuple[dict[Finding, TriageEntry], list[Finding], list[TriageEntry]]:
    """Pair each finding with its triage entry: (triaged, untriaged, entries never used)."""
    triaged: dict[Finding, TriageEntry] = {}
    untriaged: list[Finding] = []
    used: set[int] = set()
    for finding in found:
        for index, entry in enumerate(entries):
            if entry.covers(finding.target, finding.clause):
                triaged[finding] = entry
                used.add(index)
                break
        else:
            untriaged.append(finding)
    unused = [entry for index, entry in enumerate(entries) if index not in used]
    return triaged, untriaged, unused

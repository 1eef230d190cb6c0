"""Mutant identity, the triage file and the recorded results: shared by the driver, the
tests (``tests/mutants/test_triage.py``) and the docs page.  Standard library only.

A mutant's identity must survive line shifts and Python versions: it is the cosmic-ray
operator, the source file's name and a hash of the source line(s) the mutation removes
and adds (from cosmic-ray's diff), plus ``#n`` for the n-th mutant (n >= 2) of the same
operator on identical lines.  The same mutation of an unchanged line has the same
identity on 3.9 and on 3.13.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, TypedDict

ROOT = Path(__file__).resolve().parent
TRIAGE_FILE = ROOT / "equivalent.txt"
RESULTS_DIR = ROOT / "results"
RESULTS_FORMAT = 1
_SCOPE = re.compile(r"\[python (\d+\.\d+)\]")

#: incompetent: the mutated module does not import, so no suite judged it.
Verdict = Literal["killed", "survived", "error", "incompetent"]
TriageStatus = Literal["equivalent", "open"]


class SuiteResult(TypedDict):
    """One suite's verdict on one mutant."""

    verdict: Verdict
    reason: str
    seconds: float


class MutantRecord(TypedDict):
    """One mutant of one run, as the results JSON holds it."""

    id: str
    job_id: str
    operator: str
    occurrence: int
    line: int
    column: int
    #: The top-level class or function the mutation is in; None: module-level code.
    definition: Optional[str]
    #: The targets judged by sockspec (reach.py); None: the whole module.
    targets: Optional[list[str]]
    removed: list[str]
    added: list[str]
    diff: str
    cpython: SuiteResult
    sockspec: SuiteResult
    #: "equivalent" (listed in the triage file), "open" (survives, not triaged), or None.
    triage: Optional[TriageStatus]
    triage_reason: str


class RunRecord(TypedDict):
    """One ``make mutation`` run for one Python."""

    format: int
    python: str
    cosmic_ray: str
    source: str
    source_sha256: str
    all_mutants: int
    sample_size: Optional[int]
    sample_seed: Optional[int]
    baseline_cpython_seconds: float
    baseline_sockspec_seconds: float
    wall_seconds: float
    #: Mutants judged at once (MUTATION_WORKERS).
    workers: int
    #: The machine's 1/5/15-minute load averages before and after judging (it is shared).
    load_before: list[float]
    load_after: list[float]
    mutants: list[MutantRecord]


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """The removed and added source lines of a unified diff, stripped."""
    removed: list[str] = []
    added: list[str] = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("-"):
            removed.append(line[1:].strip())
        elif line.startswith("+"):
            added.append(line[1:].strip())
    return removed, added


def base_identity(operator: str, source_name: str, removed: list[str], added: list[str]) -> str:
    """Operator, file and a hash of the changed lines (no duplicate suffix)."""
    text = "\n".join(removed) + "\n=>\n" + "\n".join(added)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"{operator}@{source_name}:{digest}"


def number_duplicates(identities: list[str]) -> list[str]:
    """Suffix ``#2``, ``#3``, ... to repeated identities, in the given (occurrence) order."""
    seen: dict[str, int] = {}
    numbered: list[str] = []
    for identity in identities:
        seen[identity] = seen.get(identity, 0) + 1
        count = seen[identity]
        numbered.append(identity if count == 1 else f"{identity}#{count}")
    return numbered


def status(identity: str, sockspec: Verdict, equivalent: dict[str, str]) -> Optional[TriageStatus]:
    """A mutant's triage: listed as equivalent, open (sockspec misses it), or None (killed)."""
    if identity in equivalent:
        return "equivalent"
    return None if sockspec in ("killed", "incompetent") else "open"


@dataclass(frozen=True)
class TriageEntry:
    """One line of the triage file: a mutant recorded as equivalent, and why."""

    identity: str
    reason: str
    line_number: int
    #: "X.Y" when the mutant is equivalent on that Python only (``[python X.Y]`` before
    #: the reason), say because the interpreter's io behaves differently there.
    python: Optional[str] = None

    def applies_to(self, python: str) -> bool:
        """Whether the entry concerns a run of ``python`` ("3.13" or "3.13.0")."""
        return self.python is None or f"{python}.".startswith(f"{self.python}.")


class TriageError(ValueError):
    """A malformed line of the triage file (the message names it)."""


def load_triage(path: Path = TRIAGE_FILE) -> list[TriageEntry]:
    """Entries of the triage file: ``<identity>  [python X.Y] <reason>`` per line, ``#``
    comments; the bracket, optional, limits the entry to that Python's runs."""
    entries: list[TriageEntry] = []
    if not path.exists():
        return entries
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        identity, _, reason = line.partition(" ")
        if "@" not in identity or not reason.strip():
            raise TriageError(f"{path.name}:{number}: expected '<mutant id>  <reason>'")
        reason = reason.strip()
        scope = _SCOPE.match(reason)
        python = scope.group(1) if scope else None
        if scope:
            reason = reason[scope.end() :].strip()
        entries.append(TriageEntry(identity, reason, number, python))
    return entries


def equivalents_for(entries: list[TriageEntry], python: str) -> dict[str, str]:
    """Identity -> reason of the entries that concern a run of ``python``."""
    return {entry.identity: entry.reason for entry in entries if entry.applies_to(python)}


def load_results(directory: Path = RESULTS_DIR) -> list[RunRecord]:
    """Every recorded run, ordered by Python version."""
    runs: list[RunRecord] = []
    for path in sorted(directory.glob("python-*.json")):
        run: RunRecord = json.loads(path.read_text(encoding="utf-8"))
        runs.append(run)
    runs.sort(key=lambda run: tuple(int(part) for part in run["python"].split(".")[:2]))
    return runs

"""The page "Where the stdlib departs from its documentation", generated from data.

Each departure is one reproducer script in ``docs/examples/departures/``: its
docstring gives a title (first line), the clauses concerned (a ``Clauses:`` line)
and the explanation; the script prints ``departs: ...`` when it observes the
departure.  The page shows, for each, the explanation, the clauses as the catalogue
states them, the stdlib xfail entries that name those clauses
(``conformance/xfails/stdlib.xfail``) and the script itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from sockspec.conformance.xfails import XfailEntry, parse_xfail_file
from sockspec.spec.catalogue import Catalogue

from .rst import escape, heading, indent, list_table, literal, prose


@dataclass(frozen=True)
class Departure:
    """One reproducer and what its docstring says."""

    path: Path
    title: str
    clauses: tuple[str, ...]
    explanation: str


def read_departure(path: Path) -> Departure:
    """Parse a reproducer's docstring; ``ValueError`` names what is missing."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    title, _, rest = docstring.partition("\n")
    lines = rest.strip().splitlines()
    if not title.strip() or not lines or not lines[0].startswith("Clauses:"):
        raise ValueError(f"{path.name}: the docstring needs a title, then a 'Clauses:' line")
    clauses = tuple(lines[0].removeprefix("Clauses:").split())
    return Departure(path, title.strip(), clauses, "\n".join(lines[1:]).strip())


def read_departures(folder: Path) -> list[Departure]:
    """Every reproducer of ``folder``, by file name."""
    return [read_departure(path) for path in sorted(folder.glob("*.py"))]


def _xfails_for(entries: list[XfailEntry], clause_ids: tuple[str, ...]) -> list[XfailEntry]:
    return [
        entry
        for entry in entries
        if any(fnmatchcase(clause_id, entry.clause_glob) for clause_id in clause_ids)
    ]


def departures_rst(
    departures: list[Departure], catalogue: Catalogue, xfail_file: Path, srcdir: Path
) -> str:
    """The generated body of the page."""
    entries = parse_xfail_file(str(xfail_file)) if xfail_file.is_file() else []
    parts: list[str] = []
    for departure in departures:
        parts.append(heading(escape(departure.title), "-"))
        parts.append(prose(departure.explanation) + "\n")
        rows: list[tuple[str, str]] = []
        for clause_id in departure.clauses:
            text = catalogue.get(clause_id).text if clause_id in catalogue else "(not in catalogue)"
            rows.append((f":clause:`{clause_id}`", prose(text)))
        parts.append(list_table(("Clause", "What the catalogue states"), rows, widths=(35, 65)))
        xfails = _xfails_for(entries, departure.clauses)
        if xfails:
            parts.append("Known deviations in ``conformance/xfails/stdlib.xfail``:\n")
            parts.extend(
                f"* {literal(entry.target_glob)} on {literal(entry.clause_glob)}: "
                f"{escape(entry.reason)}"
                for entry in xfails
            )
            parts.append("")
        else:
            parts.append("The stdlib passes the clauses as narrowed; their notes name this case.\n")
        relative = Path("/") / departure.path.relative_to(srcdir)
        parts.append("Reproducer (prints ``departs: ...`` on CPython 3.9-3.13):\n")
        parts.append(f".. literalinclude:: {relative.as_posix()}\n{indent(':language: python')}\n")
    return "\n".join(parts)

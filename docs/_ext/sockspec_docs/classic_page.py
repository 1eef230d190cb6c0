"""The record of how each claim of the classic edition was established, from the catalogue.

A classic clause rests on the Python 2.4 library reference (section 11.16 and its
subsections), on CPython 2.7's ``Lib/SocketServer.py``, or on both; its since/until
gate says which 2.x versions it describes.  The page lists, per clause, that evidence,
the gate, the clause's note (where the reasoning for a gate is written) and whether
the project's tests confirm the member against an installed 2.7.
"""

from __future__ import annotations

from sockspec.spec.catalogue import Catalogue, Clause

from .rst import list_table, literal, prose

_TEXT_PREFIX = "Python 2.4 lib "
_SOURCE_27 = "CPython 2.7 Lib/SocketServer.py"


def _evidence(clause: Clause) -> str:
    refs = sorted(source.ref for source in clause.sources if source.edition == "classic")
    sections = [ref.removeprefix(_TEXT_PREFIX) for ref in refs if ref.startswith(_TEXT_PREFIX)]
    parts: list[str] = []
    if sections:
        parts.append("2.4 text, section " + ", ".join(sections))
    if _SOURCE_27 in refs:
        parts.append("2.7 source")
    if clause.id.endswith(".declared") and clause.holds_for((2, 7)):
        parts.append("member checked against an installed 2.7 by the tests")
    return "; ".join(parts) or "no classic source"


def _reasoning(clause: Clause) -> str:
    if clause.until is not None:
        gate = f"Holds for {clause.versions_label} only. "
    elif clause.since > (2, 4):
        gate = f"Holds from {clause.versions_label}. "
    else:
        gate = ""
    return prose(gate + clause.note) if gate or clause.note else "The 2.4 text states it."


def classic_rst(catalogue: Catalogue) -> str:
    """The generated table: one row per clause of the classic edition."""
    clauses = [clause for clause in catalogue.clauses if "classic" in clause.editions]
    rows = [
        (literal(clause.id), clause.versions_label, _evidence(clause), _reasoning(clause))
        for clause in clauses
    ]
    summary = (
        f"The classic edition has **{len(clauses)} clauses**; "
        f"{sum(1 for c in clauses if c.until is not None)} of them stop before Python 3 "
        f"and {sum(1 for c in clauses if c.since > (2, 4))} start after 2.4.\n"
    )
    table = list_table(
        ("Clause", "Versions", "Evidence", "Reasoning"), rows, widths=(30, 10, 25, 35)
    )
    return summary + "\n" + table

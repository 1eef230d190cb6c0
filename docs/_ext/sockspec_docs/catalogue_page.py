"""The clause catalogue page, as reStructuredText generated from the catalogue."""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from sockspec.spec.catalogue import Catalogue, Clause

from .clause_checks import ClauseChecks
from .rst import escape, field_list, heading, indent, list_table, literal, prose

EDITION_LABELS = {
    "classic": "classic (Python 2.4 library reference, section 11.16)",
    "current": "current (Python 3 socketserver documentation)",
}
CHECK_LABELS = {
    "static": "static: the type checkers (mypy, pyright) against the Protocols",
    "introspection": "introspection: the member exists with the documented signature",
    "behaviour": "behaviour: a conformance check runs a server and observes it",
}


def clause_rst(clause: Clause, checks: ClauseChecks) -> str:
    """One ``.. clause::`` entry with its text and facts."""
    sources = "; ".join(f"{escape(source.ref)} ({source.edition})" for source in clause.sources)
    verified_by = checks.for_clause(clause.id)
    if verified_by:
        check_text = ", ".join(literal(name) for name in verified_by)
    elif clause.check == "static":
        check_text = "the static typing tests (``tests/typing``)"
    elif clause.id.endswith(".declared"):
        check_text = (
            "*no conformance check is marked with this clause yet;* "
            ":func:`sockspec.spec.verify() <sockspec.spec.verification.verify>` "
            "reports it at run time"
        )
    else:
        check_text = "*no conformance check is marked with this clause yet*"
    fields: list[tuple[str, str]] = [
        ("Source", sources),
        ("Editions", ", ".join(sorted(clause.editions))),
        ("Versions", f"Python {clause.versions_label}"),
        ("Applies to", _applicability(clause)),
        ("Check kind", clause.check),
        ("Verified by", check_text),
    ]
    if clause.charges_leaks:
        charged = ", ".join(clause.charges_leaks)
        fields.append(("Charged with", f"leaks of kind {charged} left by any check"))
    if clause.member:
        fields.insert(0, ("Member", literal(clause.member)))
    if clause.note:
        fields.append(("Note", prose(clause.note)))
    body = prose(clause.text.strip()) + "\n\n" + field_list(fields)
    return f".. clause:: {clause.id}\n\n{indent(body)}\n"


def _applicability(clause: Clause) -> str:
    needs = ", ".join(literal(trait) for trait in sorted(clause.applies_to)) or "every target"
    if not clause.excludes:
        return needs
    excluded = ", ".join(literal(trait) for trait in sorted(clause.excludes))
    return f"{needs}; not {excluded}"


def _counts(label: str, counter: Counter[str], labels: dict[str, str]) -> str:
    items = "\n".join(
        f"* {labels.get(key, key)}: {count}" for key, count in sorted(counter.items())
    )
    return f"{label}\n\n{items}\n"


def catalogue_rst(catalogue: Catalogue, checks: ClauseChecks) -> str:
    """The whole generated part of the catalogue page."""
    if not catalogue.clauses:
        return (
            ".. note::\n\n"
            "   The catalogue is empty: no clause has been written yet. This page "
            "lists them as soon as ``spec/clauses.json`` has any.\n"
        )
    parts: list[str] = [_summary(catalogue, checks)]
    for section in catalogue.sections:
        clauses = [clause for clause in catalogue.clauses if clause.section == section.id]
        if not clauses:
            continue
        parts.append(f".. _catalogue-{section.id}:\n")
        parts.append(heading(f"{section.title} ({literal(section.id)})", "-"))
        parts.extend(clause_rst(clause, checks) for clause in clauses)
    return "\n".join(parts)


def _summary(catalogue: Catalogue, checks: ClauseChecks) -> str:
    clauses = catalogue.clauses
    editions: Counter[str] = Counter(e for clause in clauses for e in clause.editions)
    kinds: Counter[str] = Counter(clause.check for clause in clauses)
    checked = sum(1 for clause in clauses if checks.for_clause(clause.id))
    lines = [
        f"The catalogue holds **{len(clauses)} clauses** in "
        f"{len({c.section for c in clauses})} sections; "
        f"{checked} of them are verified by at least one marked conformance check.",
        "",
        _counts("By edition:", editions, EDITION_LABELS),
        _counts("By kind of check:", kinds, CHECK_LABELS),
    ]
    if checks.missing_package:
        lines.append(
            ".. note::\n\n   The conformance suite has no checks package yet, so no clause "
            "lists its checks.\n"
        )
    lines.append(_section_table(catalogue, checks))
    return "\n".join(lines)


def _section_table(catalogue: Catalogue, checks: ClauseChecks) -> str:
    rows: list[Iterable[str]] = []
    for section in catalogue.sections:
        clauses = [clause for clause in catalogue.clauses if clause.section == section.id]
        if clauses:
            checked = sum(1 for clause in clauses if checks.for_clause(clause.id))
            rows.append(
                (
                    f":ref:`{escape(section.title)} <catalogue-{section.id}>`",
                    str(len(clauses)),
                    str(checked),
                )
            )
    return list_table(("Section", "Clauses", "With a check"), rows, widths=(60, 20, 20))

"""The clause catalogue: every documented behaviour of socketserver, as data.

The catalogue is the project's single source of truth.  It is shipped as
``clauses.json`` next to this module; the Protocols' docstrings, the
conformance suite, the reports and the documentation all refer to its clause
IDs.  This module reads and validates it, with the standard library only.  The
records it builds and the one list each of editions, check kinds, leak kinds
and traits are defined in :mod:`sockspec.spec.records` and re-exported here:
everything the catalogue offers is importable from this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import TypeVar, cast

from .records import (
    CHECK_KINDS,
    EDITIONS,
    HANDLER_TRAITS,
    KIND_AREAS,
    LEAK_KINDS,
    TRAITS,
    Catalogue,
    CatalogueError,
    CheckKind,
    Clause,
    Edition,
    LeakKind,
    Section,
    Source,
    Version,
    declared_clause_id,
)

__all__ = [
    "CHECK_KINDS",
    "EDITIONS",
    "FORMAT",
    "HANDLER_TRAITS",
    "KIND_AREAS",
    "LEAK_KINDS",
    "TRAITS",
    "Catalogue",
    "CatalogueError",
    "CheckKind",
    "Clause",
    "Edition",
    "LeakKind",
    "Section",
    "Source",
    "Version",
    "declared_clause_id",
    "load_catalogue",
    "parse_catalogue",
]

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
#: The ``format`` number of ``clauses.json`` this module reads.
FORMAT = 1


# Each literal by its name, built from the one tuple of each: a JSON string becomes the
# typed value only by being found here (see _one_of).
_EDITION_NAMES: dict[object, Edition] = {edition: edition for edition in EDITIONS}
_CHECK_NAMES: dict[object, CheckKind] = {kind: kind for kind in CHECK_KINDS}
_LEAK_NAMES: dict[object, LeakKind] = {kind: kind for kind in LEAK_KINDS}
_T = TypeVar("_T")


def _one_of(names: Mapping[object, _T], raw: object, error: str) -> _T:
    """The value ``names`` has for the string ``raw``; a CatalogueError saying ``error`` if none."""
    found = names.get(raw) if isinstance(raw, str) else None
    if found is None:
        raise CatalogueError(error)
    return found


def _as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: expected a list")
    return cast("list[object]", value)


def _as_record(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: expected an object")
    return cast("dict[str, object]", value)


def _as_strings(value: object, where: str) -> list[str]:
    items = _as_list(value, where)
    strings = [item for item in items if isinstance(item, str)]
    if len(strings) != len(items):
        raise CatalogueError(f"{where}: expected a list of strings")
    return strings


def _parse_version(raw: object, where: str) -> Version:
    match = _VERSION_PATTERN.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise CatalogueError(f"{where}: expected a version like '3.11', got {raw!r}")
    return int(match.group(1)), int(match.group(2))


def _str_field(record: dict[str, object], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: field {key!r} must be a non-empty string")
    return value


def _edition(raw: object, where: str) -> Edition:
    return _one_of(_EDITION_NAMES, raw, f"{where}: edition must be one of {EDITIONS}, got {raw!r}")


def _parse_leak_kinds(raw: object, section: str, where: str) -> tuple[LeakKind, ...]:
    kinds: list[LeakKind] = []
    for name in _as_strings(raw, where):
        kind = _one_of(
            _LEAK_NAMES, name, f"{where}: charges_leaks must list kinds from {LEAK_KINDS}"
        )
        if kind in kinds:
            raise CatalogueError(f"{where}: charges_leaks lists {name!r} twice")
        kinds.append(kind)
    if kinds and section != "resources":
        raise CatalogueError(f"{where}: only resources clauses can be charged with leaks")
    return tuple(kinds)


def _parse_clause(record: dict[str, object], section_ids: set[str]) -> Clause:
    where = f"clause {record.get('id', '?')!r}"
    clause_id = _str_field(record, "id", where)
    if not _ID_PATTERN.match(clause_id):
        raise CatalogueError(f"{where}: ID must be dotted lower-case words")
    section = _str_field(record, "section", where)
    if section not in section_ids:
        raise CatalogueError(f"{where}: unknown section {section!r}")
    editions: list[Edition] = [
        _edition(raw, where) for raw in _as_strings(record.get("editions"), where)
    ]
    if not editions:
        raise CatalogueError(f"{where}: at least one edition is required")
    applies_to = _as_strings(record.get("applies_to"), where)
    if not set(applies_to) <= TRAITS:
        raise CatalogueError(f"{where}: applies_to must list traits from {sorted(TRAITS)}")
    excludes = _as_strings(record.get("excludes", []), where)
    if not set(excludes) <= TRAITS:
        raise CatalogueError(f"{where}: excludes must list traits from {sorted(TRAITS)}")
    if set(excludes) & set(applies_to):
        raise CatalogueError(f"{where}: a trait cannot be both required and excluded")
    charges_leaks = _parse_leak_kinds(record.get("charges_leaks", []), section, where)
    check = _one_of(
        _CHECK_NAMES, record.get("check"), f"{where}: check must be one of {CHECK_KINDS}"
    )
    sources: list[Source] = []
    for raw in _as_list(record.get("sources"), where):
        source = _as_record(raw, where)
        sources.append(
            Source(_edition(source.get("edition"), where), _str_field(source, "ref", where))
        )
    if not sources:
        raise CatalogueError(f"{where}: at least one source is required")
    member = record.get("member")
    if member is not None and not isinstance(member, str):
        raise CatalogueError(f"{where}: member must be a string or null")
    uncovered = set(editions) - {source.edition for source in sources}
    if uncovered:
        raise CatalogueError(f"{where}: no source for edition(s) {sorted(uncovered)}")
    until_raw = record.get("until")
    since = _parse_version(record.get("since"), where)
    until = None if until_raw is None else _parse_version(until_raw, where)
    if until is not None and until < since:
        raise CatalogueError(f"{where}: until {until_raw!r} is earlier than since")
    note = record.get("note", "")
    if not isinstance(note, str):
        raise CatalogueError(f"{where}: note must be a string")
    return Clause(
        id=clause_id,
        section=section,
        member=member,
        text=_str_field(record, "text", where),
        editions=frozenset(editions),
        since=since,
        until=until,
        applies_to=frozenset(applies_to),
        check=check,
        sources=tuple(sources),
        note=note,
        excludes=frozenset(excludes),
        charges_leaks=charges_leaks,
    )


def parse_catalogue(data: object) -> Catalogue:
    """Build a :class:`~sockspec.spec.records.Catalogue` from decoded JSON, checking every field."""
    document = _as_record(data, "catalogue")
    if document.get("format", FORMAT) != FORMAT:
        raise CatalogueError(f"catalogue: format must be {FORMAT}, got {document.get('format')!r}")
    sections = tuple(
        Section(_str_field(record, "id", "section"), _str_field(record, "title", "section"))
        for record in (
            _as_record(raw, "section") for raw in _as_list(document.get("sections"), "sections")
        )
    )
    section_ids = {section.id for section in sections}
    if len(section_ids) != len(sections):
        raise CatalogueError("sections: a section ID is listed twice")
    clauses = tuple(
        _parse_clause(_as_record(raw, "clause"), section_ids)
        for raw in _as_list(document.get("clauses"), "clauses")
    )
    seen: set[str] = set()
    for clause in clauses:
        if clause.id in seen:
            raise CatalogueError(f"clause {clause.id!r} is listed twice")
        seen.add(clause.id)
    members: dict[str, dict[str, tuple[str, ...]]] = {}
    for edition, by_kind in _as_record(
        document.get("documented_members", {}), "documented_members"
    ).items():
        _edition(edition, "documented_members")
        by_kind_record = _as_record(by_kind, "documented_members")
        unknown = set(by_kind_record) - set(KIND_AREAS)
        if unknown:
            raise CatalogueError(
                f"documented_members.{edition}: unknown kind(s) {sorted(unknown)}; "
                f"expected some of {sorted(KIND_AREAS)}"
            )
        members[edition] = {
            kind: tuple(_as_strings(names, f"documented_members.{edition}.{kind}"))
            for kind, names in by_kind_record.items()
        }
    return Catalogue(sections=sections, clauses=clauses, documented_members=members)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The catalogue shipped with this package (read once, then cached)."""
    text = (
        resources.files(__package__ or "sockspec.spec")
        .joinpath("clauses.json")
        .read_text(encoding="utf-8")
    )
    return parse_catalogue(json.loads(text))

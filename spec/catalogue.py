"""The clause catalogue: every documented behaviour of socketserver, as data.

The catalogue is the project's single source of truth.  It is shipped as
``clauses.json`` next to this module; the Protocols' docstrings, the
conformance suite, the reports and the documentation all refer to its clause
IDs.  This module only reads and validates it, with the standard library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, Optional, Tuple, TypeVar, cast

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
    "Clause",
    "LeakKind",
    "Section",
    "Source",
    "declared_clause_id",
    "load_catalogue",
    "parse_catalogue",
]

Edition = Literal["classic", "current"]
CheckKind = Literal["static", "introspection", "behaviour"]
#: What a check can leave behind: an open descriptor, a live thread, an unreaped child.
LeakKind = Literal["descriptor", "thread", "child"]
Version = Tuple[int, int]

EDITIONS: tuple[Edition, ...] = ("classic", "current")
CHECK_KINDS: tuple[CheckKind, ...] = ("static", "introspection", "behaviour")
LEAK_KINDS: tuple[LeakKind, ...] = ("descriptor", "thread", "child")
#: Traits a target can have.  A clause applies to a target that has all of its
#: ``applies_to`` traits and none of its ``excludes`` traits.
TRAITS: frozenset[str] = frozenset(
    {
        "server",
        "stream",
        "datagram",
        "inet",
        "inet6",
        "unix",
        "threading",
        "forking",
        "handler",
        "stream-handler",
        "datagram-handler",
        # A handler that replaces the stdlib BaseRequestHandler's setup/handle/finish, or
        # StreamRequestHandler's wbufsize = 0: clauses about those defaults exclude them.
        "own-setup",
        "own-handle",
        "own-finish",
        "own-wbufsize",
        # The target's module is a socketserver implementation: the clauses about the
        # module itself (its classes, their hierarchy and default values) need it.
        "implementation",
    }
)

#: The traits of request handlers (the rest are those of servers, and ``implementation``).
HANDLER_TRAITS: frozenset[str] = frozenset(
    trait
    for trait in TRAITS
    if trait == "handler" or trait.endswith("-handler") or trait.startswith("own-")
)

#: Kind of documented object (the keys of ``documented_members``) -> clause-ID area.
KIND_AREAS: dict[str, str] = {
    "module": "creation",
    "server": "server",
    "handler": "handler",
    "stream_handler": "stream_handler",
    "datagram_handler": "datagram_handler",
    "threading": "threading",
    "forking": "forking",
}

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)$")
#: The ``format`` number of ``clauses.json`` this module reads.
FORMAT = 1


def _snake_case(name: str) -> str:
    # Clause IDs are lower-case, so CamelCase names ("RequestHandlerClass", "TCPServer")
    # become snake_case ("request_handler_class", "tcp_server"); dunders stay as they are.
    words = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", words).lower()


def declared_clause_id(kind: str, member: str) -> str:
    """The ID of the ``.declared`` clause for a documented ``member`` of ``kind``.

    ``kind`` is a key of :attr:`Catalogue.documented_members` (``"server"``, ``"module"``, ...),
    e.g. ``declared_clause_id("server", "RequestHandlerClass")`` is
    ``"server.request_handler_class.declared"``.
    """
    try:
        area = KIND_AREAS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of documented object: {kind!r}") from None
    return f"{area}.{_snake_case(member)}.declared"


class CatalogueError(ValueError):
    """Raised when ``clauses.json`` does not follow the catalogue's format."""


@dataclass(frozen=True)
class Source:
    """Where in the documentation a clause comes from."""

    edition: Edition
    ref: str


@dataclass(frozen=True)
class Section:
    """A group of clauses, as the reports and the docs show them."""

    id: str
    title: str


@dataclass(frozen=True)
class Clause:
    """One documented behaviour, stated in sockspec's own words."""

    id: str
    section: str
    member: Optional[str]
    text: str
    editions: frozenset[Edition]
    since: Version
    until: Optional[Version]
    applies_to: frozenset[str]
    check: CheckKind
    sources: tuple[Source, ...]
    note: str = ""
    #: Traits of targets the clause does not describe (e.g. ``forking`` for a default
    #: that ForkingMixIn documents as replaced).
    excludes: frozenset[str] = frozenset()
    #: On ``resources`` clauses: the kinds of leak this clause is charged with.
    charges_leaks: tuple[LeakKind, ...] = ()

    def holds_for(self, version: Version) -> bool:
        """True when the clause describes Python ``version`` (a ``(major, minor)`` pair)."""
        if version < self.since:
            return False
        return self.until is None or version <= self.until

    def applies_to_traits(self, traits: frozenset[str]) -> bool:
        """True when a target with ``traits`` has every trait the clause needs, none it excludes."""
        return self.inapplicable_reason(traits) is None

    def inapplicable_reason(self, traits: frozenset[str]) -> Optional[str]:
        """Why the clause does not apply to a target with ``traits``, or None when it does.

        The reason is one short phrase, e.g. ``"needs datagram"`` or
        ``"not for threading servers"``; missing traits are named before excluded ones.
        """
        missing = sorted(self.applies_to - traits)
        if missing:
            return "needs " + ", ".join(missing)
        excluded = sorted(self.excludes & traits)
        if excluded:
            if not set(excluded) <= HANDLER_TRAITS:
                return "not for " + ", ".join(excluded) + " servers"
            # "not for handlers", "not for own-handle handlers": the kind is said once.
            named = ", ".join(trait for trait in excluded if trait != "handler")
            return f"not for {named} handlers" if named else "not for handlers"
        return None

    @property
    def versions_label(self) -> str:
        """The Python versions the clause holds for, e.g. ``3.11+`` or ``2.4-2.5``."""
        since = "%d.%d" % self.since
        if self.until is None:
            return since + "+"
        return since + "-" + "%d.%d" % self.until


@dataclass(frozen=True)
class Catalogue:
    """The parsed catalogue: sections, clauses and the documented members."""

    sections: tuple[Section, ...]
    clauses: tuple[Clause, ...]
    #: edition -> kind of object ("server", "handler", ...) -> documented member names
    documented_members: dict[str, dict[str, tuple[str, ...]]]

    def __len__(self) -> int:
        return len(self.clauses)

    def get(self, clause_id: str) -> Clause:
        """The clause with ``clause_id``; ``KeyError`` names the unknown ID."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    def __contains__(self, clause_id: object) -> bool:
        return any(clause.id == clause_id for clause in self.clauses)

    def declared(self, kind: str, member: str) -> Clause:
        """The ``.declared`` clause of a documented member; ``KeyError`` if it is missing."""
        return self.get(declared_clause_id(kind, member))

    def leak_clause(
        self,
        kind: LeakKind,
        traits: frozenset[str],
        *,
        edition: Optional[Edition] = None,
        version: Optional[Version] = None,
    ) -> Optional[Clause]:
        """The clause a leak of ``kind`` by a target with ``traits`` is charged to.

        That is the first clause, in catalogue order, whose ``charges_leaks`` names ``kind``
        and that applies to ``traits`` (and, when given, belongs to ``edition`` and holds
        for ``version``).  None when no such clause applies: the leak is then the leaking
        check's own failure.
        """
        for clause in self.clauses:
            if kind not in clause.charges_leaks or not clause.applies_to_traits(traits):
                continue
            if edition is not None and edition not in clause.editions:
                continue
            if version is not None and not clause.holds_for(version):
                continue
            return clause
        return None

    def in_section(self, section: str) -> tuple[Clause, ...]:
        """The clauses of ``section``, in catalogue order."""
        return tuple(clause for clause in self.clauses if clause.section == section)

    def select(self, edition: Edition, version: Optional[Version] = None) -> tuple[Clause, ...]:
        """The clauses of ``edition``, limited to those that hold for ``version`` if given."""
        return tuple(
            clause
            for clause in self.clauses
            if edition in clause.editions and (version is None or clause.holds_for(version))
        )


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
    """Build a :class:`Catalogue` from decoded JSON, checking every field."""
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

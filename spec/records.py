"""The catalogue's records (clause, section, source) and the lists they draw on.

The one list each of editions, check kinds, leak kinds and traits is here, next to
the records that use them.  Reading and validating ``clauses.json`` is
:mod:`sockspec.spec.catalogue`'s job, which re-exports all of this module: import
from either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional, Tuple

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

"""The shipped clause catalogue is well formed, complete for both editions, and strict."""

from __future__ import annotations

import copy
import json
import re
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sockspec.spec.catalogue import (
    EDITIONS,
    KIND_AREAS,
    Catalogue,
    CatalogueError,
    Clause,
    declared_clause_id,
    load_catalogue,
    parse_catalogue,
)

#: IDs the conformance suite and the mutant zoo key on; renaming one breaks them.
MUST_INCLUDE = (
    "server.handle_request.order",
    "server.verify_request.false_rejects",
    "server.handle_error.called_once",
    "server.handle_request.timeout",
    "server.serve_forever.repeats",
    "server.serve_forever.service_actions",
    "server.shutdown.stops_serve_forever",
    "server.shutdown.waits",
    "server.fileno.listening_socket",
    "server.fileno.selectable",
    "server.server_address.real_port",
    "server.allow_reuse_address.sockopt",
    "server.allow_reuse_port.sockopt",
    "server.request_queue_size.listen_backlog",
    "server.socket_type.honoured",
    "server.address_family.honoured",
    "creation.bind_and_activate.deferred",
    "server.get_request.returns_pair",
    "server.finish_request.instantiates_handler",
    "server.shutdown_request.closes",
    "server.server_close.releases_socket",
    "server.context_manager.closes",
    "threading.process_request.concurrent",
    "threading.daemon_threads.honoured",
    "threading.block_on_close.joins",
    "forking.process_request.child",
    "forking.children.reaped",
    "forking.max_children.honoured",
    "server.max_packet_size.honoured",
    "datagram_handler.reply_through_wfile",
    "handler.order.setup_handle_finish",
    "handler.finish.after_exception",
    "stream_handler.rfile.readable",
    "stream_handler.wfile.writable",
)

#: Where the 2.4 text and the Python 3 docs disagree: (classic-only ID, current-only ID).
DISAGREEMENTS = (
    ("server.handle_error.prints_to_stdout", "server.handle_error.prints_to_stderr"),
    ("server.serve_forever.loops_handle_request", "server.serve_forever.repeats"),
    ("handler.finish.skipped_if_handle_raises", "handler.finish.after_exception"),
    ("handler.request.datagram_string", "handler.request.datagram_pair"),
    ("server.server_activate.listens", "server.server_activate.listens_stream"),
)

#: Clause-ID area -> the section family its clauses belong to.
AREA_SECTIONS = {
    "creation": ("creation",),
    "server": (
        "server.methods",
        "server.attributes",
        "server.class_variables",
        "server.overridable",
    ),
    "handler": ("handler.base",),
    "stream_handler": ("handler.stream",),
    "datagram_handler": ("handler.datagram",),
    "threading": ("mixin.threading",),
    "forking": ("mixin.forking",),
    "resources": ("resources",),
}

CATALOGUE = load_catalogue()


def _raw_document() -> dict[str, Any]:
    text = resources.files("sockspec.spec").joinpath("clauses.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _documented() -> list[tuple[str, str, str]]:
    return [
        (edition, kind, member)
        for edition, kinds in CATALOGUE.documented_members.items()
        for kind, members in kinds.items()
        for member in members
    ]


def _minimal_document() -> dict[str, Any]:
    return {
        "format": 1,
        "sections": [{"id": "server.methods", "title": "Server methods"}],
        "documented_members": {"current": {"server": ["fileno"]}},
        "clauses": [
            {
                "id": "server.fileno.declared",
                "section": "server.methods",
                "member": "fileno",
                "text": "Every server provides fileno().",
                "editions": ["current"],
                "since": "2.4",
                "until": None,
                "applies_to": ["server"],
                "check": "introspection",
                "sources": [{"edition": "current", "ref": "Python 3.13 socketserver docs"}],
            }
        ],
    }


def test_shipped_catalogue_loads() -> None:
    """The shipped clauses.json parses into a non-empty Catalogue."""
    assert isinstance(CATALOGUE, Catalogue)
    assert len(CATALOGUE) > 100


def test_clause_ids_are_unique() -> None:
    """No clause ID appears twice in the shipped JSON."""
    ids = [record["id"] for record in _raw_document()["clauses"]]
    assert len(ids) == len(set(ids))


def test_sections_match_the_conventions() -> None:
    """The sections are exactly the project's agreed section IDs, each with a title."""
    expected = {section for sections in AREA_SECTIONS.values() for section in sections}
    assert {section.id for section in CATALOGUE.sections} == expected
    assert all(section.title.strip() for section in CATALOGUE.sections)


def test_every_section_has_clauses() -> None:
    """Every declared section holds at least one clause."""
    empty = [section.id for section in CATALOGUE.sections if not CATALOGUE.in_section(section.id)]
    assert empty == []


def test_every_clause_section_exists() -> None:
    """Every clause names a declared section."""
    section_ids = {section.id for section in CATALOGUE.sections}
    assert {clause.section for clause in CATALOGUE.clauses} <= section_ids


@pytest.mark.parametrize("clause", CATALOGUE.clauses, ids=lambda clause: clause.id)
def test_clause_area_matches_section(clause: Clause) -> None:
    """A clause's ID area agrees with its section (e.g. threading.* in mixin.threading)."""
    area = clause.id.split(".", 1)[0]
    assert clause.section in AREA_SECTIONS[area]


@pytest.mark.parametrize(("edition", "kind", "member"), _documented())
def test_documented_member_has_declared_clause(edition: str, kind: str, member: str) -> None:
    """Each documented member has an introspection .declared clause covering its edition."""
    clause = CATALOGUE.declared(kind, member)
    assert edition in clause.editions
    assert clause.member == member
    assert clause.check == "introspection"


_KINDS_BY_AREA = {area: kind for kind, area in KIND_AREAS.items()}
_DECLARED = [clause for clause in CATALOGUE.clauses if clause.id.endswith(".declared")]


@pytest.mark.parametrize("clause", _DECLARED, ids=lambda clause: clause.id)
def test_declared_clause_of_undocumented_member_says_why(clause: Clause) -> None:
    """A .declared clause for a member an edition does not document carries an explaining note."""
    kind = _KINDS_BY_AREA[clause.id.split(".", 1)[0]]
    assert clause.member is not None
    assert declared_clause_id(kind, clause.member) == clause.id
    undocumented = [
        edition
        for edition in clause.editions
        if clause.member not in CATALOGUE.documented_members[edition][kind]
    ]
    if undocumented:
        assert clause.note.strip()


def test_classic_server_documents_seventeen_members() -> None:
    """The 2.4 text documents exactly the seventeen server members of 11.16.2."""
    assert len(CATALOGUE.documented_members["classic"]["server"]) == 17


def test_every_edition_documents_each_kind_of_object() -> None:
    """Both editions list the same kinds of documented object."""
    assert set(CATALOGUE.documented_members) == set(EDITIONS)
    for kinds in CATALOGUE.documented_members.values():
        assert set(kinds) == set(KIND_AREAS)


@pytest.mark.parametrize("clause", CATALOGUE.clauses, ids=lambda clause: clause.id)
def test_sources_cover_every_edition(clause: Clause) -> None:
    """A clause cites at least one source of each edition it belongs to."""
    assert clause.editions <= {source.edition for source in clause.sources}


@pytest.mark.parametrize("clause", CATALOGUE.clauses, ids=lambda clause: clause.id)
def test_version_range_is_ordered(clause: Clause) -> None:
    """A clause's until is never earlier than its since, and a bounded clause says why."""
    if clause.until is not None:
        assert clause.until >= clause.since
        assert clause.note.strip()
    assert clause.holds_for(clause.since)


@pytest.mark.parametrize("clause", CATALOGUE.clauses, ids=lambda clause: clause.id)
def test_text_is_one_sentence(clause: Clause) -> None:
    """A clause's text is a single sentence that ends with a full stop."""
    assert clause.text.endswith(".")
    assert "\n" not in clause.text
    assert re.search(r"[.;!?]\s+[A-Z]", clause.text[:-1]) is None


@pytest.mark.parametrize("clause_id", MUST_INCLUDE)
def test_must_include_clause_is_behavioural(clause_id: str) -> None:
    """Each clause the conformance suite relies on exists and is a behaviour clause."""
    assert CATALOGUE.get(clause_id).check == "behaviour"


@pytest.mark.parametrize(("classic_id", "current_id"), DISAGREEMENTS)
def test_disagreements_have_one_clause_per_edition(classic_id: str, current_id: str) -> None:
    """Where the 2.4 text and the Python 3 docs disagree, each has its own edition-only clause."""
    classic = CATALOGUE.get(classic_id)
    current = CATALOGUE.get(current_id)
    assert classic.editions == {"classic"}
    assert current.editions == {"current"}
    assert classic.member == current.member
    assert classic.note.strip()


def test_select_filters_by_edition_and_version() -> None:
    """select() keeps only clauses of the edition that hold for the given version."""
    on_classic = CATALOGUE.select("classic", (2, 4))
    assert CATALOGUE.get("server.serve_forever.loops_handle_request") in on_classic
    assert CATALOGUE.get("server.serve_forever.repeats") not in on_classic
    on_310 = {clause.id for clause in CATALOGUE.select("current", (3, 10))}
    assert "server.allow_reuse_port.sockopt" not in on_310
    assert "server.allow_reuse_port.sockopt" in {c.id for c in CATALOGUE.select("current", (3, 11))}


@pytest.mark.parametrize(
    ("kind", "member", "expected"),
    [
        ("server", "RequestHandlerClass", "server.request_handler_class.declared"),
        ("server", "__enter__", "server.__enter__.declared"),
        ("module", "TCPServer", "creation.tcp_server.declared"),
        ("module", "ThreadingUnixStreamServer", "creation.threading_unix_stream_server.declared"),
        ("forking", "max_children", "forking.max_children.declared"),
    ],
)
def test_declared_clause_id(kind: str, member: str, expected: str) -> None:
    """declared_clause_id maps a documented member to its lower-case clause ID."""
    assert declared_clause_id(kind, member) == expected


def test_declared_clause_id_rejects_unknown_kind() -> None:
    """declared_clause_id names an unknown kind instead of guessing an area."""
    with pytest.raises(ValueError, match="unknown kind"):
        declared_clause_id("widget", "fileno")


def _break(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = _minimal_document()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    if path[-1] is None:  # None as the last key appends to a list
        target.append(value)
    else:
        target[path[-1]] = value
    return document


_CLAUSE = ("clauses", 0)

BROKEN = [
    pytest.param(_break(("format",), 2), "format must be 1", id="wrong-format"),
    pytest.param(_break(("sections",), {}), "expected a list", id="sections-not-list"),
    pytest.param(_break((*_CLAUSE, "id"), "Server.Fileno"), "dotted lower-case", id="bad-id"),
    pytest.param(_break((*_CLAUSE, "section"), "nowhere"), "unknown section", id="bad-section"),
    pytest.param(_break((*_CLAUSE, "text"), "  "), "'text' must be", id="blank-text"),
    pytest.param(_break((*_CLAUSE, "editions"), []), "at least one edition", id="no-edition"),
    pytest.param(_break((*_CLAUSE, "editions"), ["modern"]), "edition must be", id="bad-edition"),
    pytest.param(_break((*_CLAUSE, "since"), "3"), "expected a version", id="bad-since"),
    pytest.param(_break((*_CLAUSE, "until"), "2.3"), "earlier than since", id="until-early"),
    pytest.param(_break((*_CLAUSE, "applies_to"), ["tcp"]), "applies_to", id="bad-trait"),
    pytest.param(_break((*_CLAUSE, "excludes"), ["tcp"]), "excludes must", id="bad-exclude"),
    pytest.param(
        _break((*_CLAUSE, "excludes"), ["server"]), "required and excluded", id="self-excluding"
    ),
    pytest.param(
        _break((*_CLAUSE, "charges_leaks"), ["memory"]), "charges_leaks must", id="bad-leak-kind"
    ),
    pytest.param(
        _break((*_CLAUSE, "charges_leaks"), ["thread"]),
        "only resources clauses",
        id="leak-outside-resources",
    ),
    pytest.param(_break((*_CLAUSE, "check"), "manual"), "check must be", id="bad-check"),
    pytest.param(_break((*_CLAUSE, "sources"), []), "at least one source", id="no-source"),
    pytest.param(
        _break((*_CLAUSE, "editions"), ["classic", "current"]),
        "no source for edition",
        id="uncited-edition",
    ),
    pytest.param(_break((*_CLAUSE, "member"), 3), "member must be", id="bad-member"),
    pytest.param(_break((*_CLAUSE, "note"), 1), "note must be", id="bad-note"),
    pytest.param(
        _break(("documented_members", "current", "gadget"), ["x"]),
        "unknown kind",
        id="bad-kind",
    ),
    pytest.param(
        _break(("sections", None), {"id": "server.methods", "title": "Again"}),
        "listed twice",
        id="duplicate-section",
    ),
]


@pytest.mark.parametrize(("document", "message"), BROKEN)
def test_invalid_document_is_rejected(document: dict[str, Any], message: str) -> None:
    """parse_catalogue rejects a malformed document with a message naming the problem."""
    with pytest.raises(CatalogueError, match=re.escape(message)):
        parse_catalogue(document)


def test_duplicate_clause_is_rejected() -> None:
    """parse_catalogue names a clause ID that appears twice."""
    document = _minimal_document()
    document["clauses"].append(copy.deepcopy(document["clauses"][0]))
    with pytest.raises(CatalogueError, match="listed twice"):
        parse_catalogue(document)


REQUIRED_FIELDS = ("id", "section", "text", "editions", "since", "applies_to", "check", "sources")


@given(
    field=st.sampled_from(REQUIRED_FIELDS),
    junk=st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans()),
)
def test_required_field_with_junk_is_rejected(field: str, junk: object) -> None:
    """Replacing any required clause field with a non-string scalar is a CatalogueError."""
    document = _break((*_CLAUSE, field), junk)
    with pytest.raises(CatalogueError):
        parse_catalogue(document)


def test_minimal_document_is_accepted() -> None:
    """The fixture the rejection tests break is itself valid, so each failure is the break's."""
    catalogue = parse_catalogue(_minimal_document())
    assert [clause.id for clause in catalogue.clauses] == ["server.fileno.declared"]

"""Which targets a clause applies to, and which resources clause a leak is charged to."""

from __future__ import annotations

from typing import Optional

import pytest
from sockspec.spec.catalogue import (
    HANDLER_TRAITS,
    LEAK_KINDS,
    TRAITS,
    Clause,
    LeakKind,
    load_catalogue,
)

CATALOGUE = load_catalogue()

SYNC_TCP = frozenset({"server", "stream", "inet"})
THREADING_TCP = SYNC_TCP | {"threading"}
FORKING_UDP = frozenset({"server", "datagram", "inet", "forking"})


def _with_excludes() -> list[Clause]:
    return [clause for clause in CATALOGUE.clauses if clause.excludes]


def test_some_clauses_exclude_traits() -> None:
    """The catalogue states "not on mix-in servers" as data, not inside check bodies."""
    ids = {clause.id for clause in _with_excludes()}
    assert "creation.synchronous.one_at_a_time" in ids
    assert "server.process_request.calls_finish_request" in ids


@pytest.mark.parametrize("clause", _with_excludes(), ids=lambda clause: clause.id)
def test_excluded_traits_are_known_and_not_required(clause: Clause) -> None:
    """Every excluded trait is in the one trait list and none is also required."""
    assert clause.excludes <= TRAITS
    assert not clause.excludes & clause.applies_to


def test_missing_trait_is_the_reason() -> None:
    """A clause needing datagram does not apply to a stream server, and says so."""
    clause = CATALOGUE.get("server.max_packet_size.honoured")
    assert not clause.applies_to_traits(SYNC_TCP)
    assert clause.inapplicable_reason(SYNC_TCP) == "needs datagram"
    assert clause.applies_to_traits(FORKING_UDP)
    assert clause.inapplicable_reason(FORKING_UDP) is None


def test_excluded_trait_is_the_reason() -> None:
    """A synchronous-only clause does not apply to a threading server, and says so."""
    clause = CATALOGUE.get("creation.synchronous.one_at_a_time")
    assert clause.applies_to_traits(SYNC_TCP)
    assert not clause.applies_to_traits(THREADING_TCP)
    assert clause.inapplicable_reason(THREADING_TCP) == "not for threading servers"
    assert clause.inapplicable_reason(THREADING_TCP | {"forking"}) == (
        "not for forking, threading servers"
    )


def test_missing_traits_are_named_before_excluded_ones() -> None:
    """A target that both lacks and has the wrong traits is told what it lacks first."""
    clause = CATALOGUE.get("creation.synchronous.one_at_a_time")
    assert clause.inapplicable_reason(frozenset({"threading"})) == "needs server"


def test_a_handler_with_its_own_hook_is_told_so() -> None:
    """A clause about a default hook excludes a handler that replaces it, in handler words."""
    clause = CATALOGUE.get("handler.handle.default_noop")
    own = frozenset({"handler", "own-handle"})
    assert clause.applies_to_traits(frozenset({"handler", "server"}))
    assert clause.inapplicable_reason(own | {"server"}) == "not for own-handle handlers"
    assert "own-handle" in HANDLER_TRAITS
    assert "unix" not in HANDLER_TRAITS
    creation = CATALOGUE.get("creation.handler.io_hides_transport")
    assert creation.inapplicable_reason(SYNC_TCP | {"handler"}) == "not for handlers"


def test_clauses_about_the_module_need_an_implementation() -> None:
    """The module's own classes and default values are checked on an implementation only."""
    for clause_id in (
        "creation.hierarchy.tcp_from_base",
        "server.allow_reuse_address.default_false",
    ):
        clause = CATALOGUE.get(clause_id)
        assert clause.inapplicable_reason(SYNC_TCP) == "needs implementation"
        assert clause.applies_to_traits(SYNC_TCP | {"implementation"})


def test_nagle_clause_is_for_tcp_requests() -> None:
    """TCP_NODELAY is an option of TCP sockets: the clause excludes Unix stream servers."""
    clause = CATALOGUE.get("stream_handler.disable_nagle_algorithm")
    unix = frozenset({"server", "stream", "unix", "stream-handler"})
    assert clause.inapplicable_reason(unix) == "not for unix servers"
    assert clause.applies_to_traits(SYNC_TCP | {"stream-handler"})


@pytest.mark.parametrize("kind", LEAK_KINDS)
def test_every_leak_kind_is_charged_somewhere(kind: LeakKind) -> None:
    """Each kind of leak has a resources clause that takes it on some server."""
    charged = [clause for clause in CATALOGUE.clauses if kind in clause.charges_leaks]
    assert charged, f"no clause is charged with {kind} leaks"
    assert all(clause.section == "resources" for clause in charged)


def _charged(kind: LeakKind, traits: frozenset[str]) -> Optional[str]:
    clause = CATALOGUE.leak_clause(kind, traits)
    return None if clause is None else clause.id


def test_leak_clause_follows_the_target() -> None:
    """A leak goes to the applicable clause of its kind, or to none when no clause applies."""
    assert _charged("thread", SYNC_TCP) is None
    assert _charged("thread", THREADING_TCP) == "resources.threading.no_threads_after_close"
    assert _charged("child", FORKING_UDP) == "resources.forking.no_children_after_close"
    assert _charged("child", THREADING_TCP) is None
    assert _charged("descriptor", SYNC_TCP) == "resources.server_close.no_listening_fd"


def test_leak_clause_honours_edition_and_version() -> None:
    """A clause outside the selected edition or version is not charged."""
    assert CATALOGUE.leak_clause("thread", THREADING_TCP, version=(3, 6)) is None
    assert CATALOGUE.leak_clause("descriptor", SYNC_TCP, edition="classic") is None
    found = CATALOGUE.leak_clause("thread", THREADING_TCP, edition="current", version=(3, 13))
    assert found is not None

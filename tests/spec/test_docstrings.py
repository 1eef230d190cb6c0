"""Every Protocol member documents itself and names existing catalogue clauses."""

from __future__ import annotations

import ast
import inspect
from types import ModuleType
from typing import Dict, Iterator, List, Sequence, Tuple

import pytest
from sockspec.spec import classic, declared_clause, handlers, load_catalogue, mixins, servers
from sockspec.spec.catalogue import declared_clause_id
from sockspec.spec.verification import PROTOCOL_KINDS

MODULES = (classic, servers, handlers, mixins)
# The handler and ForkingMixIn Protocols serve both editions; the server and
# ThreadingMixIn Protocols differ (the classic ones lack later members).
_SHARED_PROTOCOLS: Dict[str, type] = {
    "handler": handlers.BaseRequestHandler,
    "stream_handler": handlers.StreamRequestHandler,
    "datagram_handler": handlers.DatagramRequestHandler,
    "forking": mixins.ForkingMixIn,
}
_EDITION_PROTOCOLS: Dict[str, Dict[str, type]] = {
    "classic": {"server": classic.BaseServer, "threading": classic.ThreadingMixIn},
    "current": {"server": servers.BaseServer, "threading": mixins.ThreadingMixIn},
}
PROTOCOL_FOR_KIND: Dict[Tuple[str, str], type] = {
    (edition, kind): protocol
    for edition, own in _EDITION_PROTOCOLS.items()
    for kind, protocol in {**_SHARED_PROTOCOLS, **own}.items()
}


def _statements(body: Sequence[ast.stmt]) -> Iterator[Tuple[ast.stmt, Sequence[ast.stmt], int]]:
    """Class-body statements with their block and index, looking inside version gates."""
    for index, statement in enumerate(body):
        if isinstance(statement, ast.If):
            yield from _statements(statement.body)
            yield from _statements(statement.orelse)
        else:
            yield statement, body, index


def _attribute_docstring(block: Sequence[ast.stmt], index: int) -> str:
    following = block[index + 1] if index + 1 < len(block) else None
    if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
        value = following.value.value
        if isinstance(value, str):
            return inspect.cleandoc(value)
    return ""


def member_docstrings(module: ModuleType) -> Dict[Tuple[str, str], str]:
    """(Protocol name, member) -> docstring, for members each Protocol declares itself."""
    tree = ast.parse(inspect.getsource(module))
    found: Dict[Tuple[str, str], str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement, block, index in _statements(node.body):
            if isinstance(statement, ast.FunctionDef):
                found[node.name, statement.name] = ast.get_docstring(statement) or ""
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                found[node.name, statement.target.id] = _attribute_docstring(block, index)
    return found


def clause_ids(docstring: str) -> List[str]:
    """The IDs listed in the docstring's final ``Clauses:`` paragraph."""
    last_paragraph = docstring.strip().split("\n\n")[-1]
    if not last_paragraph.startswith("Clauses:"):
        return []
    listed = last_paragraph[len("Clauses:") :].replace("\n", " ")
    return [item.strip() for item in listed.split(",") if item.strip()]


ALL_MEMBERS = {
    (module.__name__, protocol, member): docstring
    for module in MODULES
    for (protocol, member), docstring in member_docstrings(module).items()
}


def test_members_were_found() -> None:
    """The source scan finds the members of every Protocol module."""
    assert len(ALL_MEMBERS) == 40
    assert {module for module, _, _ in ALL_MEMBERS} == {module.__name__ for module in MODULES}


@pytest.mark.parametrize(("where", "docstring"), sorted(ALL_MEMBERS.items()), ids=str)
def test_member_names_existing_clauses(where: Tuple[str, str, str], docstring: str) -> None:
    """Each member's docstring ends with a Clauses line whose IDs are in the catalogue."""
    ids = clause_ids(docstring)
    assert ids, f"{where}: no final 'Clauses:' paragraph"
    catalogue = load_catalogue()
    unknown = [clause for clause in ids if clause not in catalogue]
    assert unknown == [], f"{where}: unknown clause IDs"


@pytest.mark.parametrize(("where", "docstring"), sorted(ALL_MEMBERS.items()), ids=str)
def test_member_names_its_declared_clause(where: Tuple[str, str, str], docstring: str) -> None:
    """Each member names the .declared clause that verify() reports for it."""
    module_name, protocol_name, member = where
    module = next(module for module in MODULES if module.__name__ == module_name)
    # By kind rather than declared_clause(): members behind a version gate
    # (allow_reuse_port) do not exist at run time on older Pythons.
    kind = PROTOCOL_KINDS[getattr(module, protocol_name)]
    assert declared_clause_id(kind, member) in clause_ids(docstring)


def _documented() -> List[Tuple[str, str, str]]:
    catalogue = load_catalogue()
    return [
        (edition, kind, member)
        for edition, by_kind in sorted(catalogue.documented_members.items())
        for kind, names in sorted(by_kind.items())
        if kind != "module"
        for member in names
    ]


@pytest.mark.parametrize(("edition", "kind", "member"), _documented(), ids=str)
def test_documented_member_is_declared(edition: str, kind: str, member: str) -> None:
    """Every member the catalogue lists as documented is declared by the matching Protocol."""
    protocol = PROTOCOL_FOR_KIND[edition, kind]
    clause = declared_clause(protocol, member)
    assert clause.startswith(kind + ".")
    assert edition in load_catalogue().get(clause).editions
    defining = next(
        base for base in protocol.__mro__ if (base.__name__, member) in member_docstrings_of(base)
    )
    assert clause in clause_ids(member_docstrings_of(defining)[defining.__name__, member])


def member_docstrings_of(protocol: type) -> Dict[Tuple[str, str], str]:
    module = next((m for m in MODULES if m.__name__ == protocol.__module__), None)
    return member_docstrings(module) if module is not None else {}


def test_current_module_classes_have_protocols() -> None:
    """Each class the current docs list has a Protocol of the same name in sockspec.spec."""
    from sockspec import spec

    documented = load_catalogue().documented_members["current"]["module"]
    assert [name for name in documented if not hasattr(spec, name)] == []

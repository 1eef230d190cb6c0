"""Which targets a mutant can affect, from the mutated module's own class hierarchy.

The argument, made from the source alone (``ast``, no import):

* The conformance suite verifies each target class in its own pytest process, and its
  harness builds the servers and handlers it pairs with a target from the *standard
  library's* ``socketserver``, never from the target's module.  So the only code of the
  mutated module that runs for target ``T`` is code reachable from ``T``.
* Code reachable from ``T``: the classes of ``T``'s bases (transitively, within the
  module) and every module-level class or function whose name appears in the body of
  something already reachable (``BaseServer`` uses ``_ServerSelector``,
  ``ThreadingMixIn`` uses ``_Threads``), closed transitively.
* A mutant inside the top-level definition ``D`` can therefore change only the targets
  from which ``D`` is reachable.  A mutant anywhere else (module-level statements, such
  as ``if hasattr(os, "fork"):``) can change anything: it gets the whole module.

Checks that introspect the target's *module* (which classes it provides, their
hierarchy) read other classes too; they run on every target, so they also run on the
affected ones.  The judge does not rest on this: a mutant the restricted run misses is
judged again on the whole module (``judge.py``), so the restriction only makes kills
cheaper and can never create a survivor.

Name lookups that this does not see (``getattr`` with a computed string, ``globals()``)
would break the argument; :func:`uses_dynamic_lookup` reports them so that the planner
falls back to the whole module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Optional


@dataclass(frozen=True)
class Definition:
    """A top-level class or function of the module (also one nested in a top-level if/try)."""

    name: str
    first_line: int
    last_line: int
    #: Names of the module's other definitions used in this one's body or bases.
    uses: frozenset[str] = field(default_factory=frozenset[str])


def _top_level_definitions(tree: ast.Module) -> list[ast.ClassDef | ast.FunctionDef]:
    """Class and function statements of the module body, looking inside if/try blocks."""
    found: list[ast.ClassDef | ast.FunctionDef] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, (ast.ClassDef, ast.FunctionDef)):
            found.append(statement)
        elif isinstance(statement, ast.If):
            pending.extend(statement.body + statement.orelse)
        elif isinstance(statement, ast.Try):
            pending.extend(statement.body + statement.orelse + statement.finalbody)
            for handler in statement.handlers:
                pending.extend(handler.body)
    return found


def definitions(source: str) -> dict[str, Definition]:
    """Every top-level definition of ``source`` with the module names it uses."""
    tree = ast.parse(source)
    nodes = _top_level_definitions(tree)
    names = {node.name for node in nodes}
    result: dict[str, Definition] = {}
    for node in nodes:
        used = {
            sub.id
            for sub in ast.walk(node)
            if isinstance(sub, ast.Name) and sub.id in names and sub.id != node.name
        }
        last = node.end_lineno if node.end_lineno is not None else node.lineno
        first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
        result[node.name] = Definition(node.name, first, last, frozenset(used))
    return result


def uses_dynamic_lookup(source: str) -> bool:
    """True if the module looks names up in ways :func:`definitions` cannot follow."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("globals", "locals", "eval", "exec", "__import__"):
                return True
            # vars(obj) reads an object's attributes; only vars() reads the module's names.
            if node.func.id == "vars" and not node.args:
                return True
    return False


def enclosing(defs: dict[str, Definition], line: int) -> Optional[str]:
    """The top-level definition that holds ``line``, or None for module-level code."""
    for definition in defs.values():
        if definition.first_line <= line <= definition.last_line:
            return definition.name
    return None


def reachable(defs: dict[str, Definition], start: str) -> frozenset[str]:
    """Every definition whose code can run when ``start`` is used (``start`` included)."""
    seen = {start}
    frontier = [start]
    while frontier:
        current = defs.get(frontier.pop())
        if current is None:
            continue
        for name in current.uses - seen:
            seen.add(name)
            frontier.append(name)
    return frozenset(seen)


def affected_targets(
    defs: dict[str, Definition], targets: list[str], mutated: Optional[str]
) -> Optional[list[str]]:
    """The targets a mutant in definition ``mutated`` can change; None: the whole module."""
    if mutated is None:
        return None
    affected = [target for target in targets if mutated in reachable(defs, target)]
    # The mutated class first, then the nearest subclasses: a kill shows up soonest.
    return sorted(
        affected, key=lambda target: (len(reachable(defs, target)), targets.index(target))
    )

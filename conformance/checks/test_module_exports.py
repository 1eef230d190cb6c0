"""Introspection check: the module's ``__all__`` exports every documented class it provides.

The suite expands a module target through its ``__all__``; a class the module defines
but leaves out of it is silently not verified, so this is checked on every target whose
module is a socketserver implementation.
"""

from __future__ import annotations

import pytest
from sockspec.conformance.checks._helpers import implementation_module
from sockspec.conformance.harness import TargetLike
from sockspec.spec import load_catalogue

#: Every class the catalogue says the module provides (the creation ``.declared`` clauses).
_DOCUMENTED_CLASSES = sorted(
    {
        clause.member
        for clause in load_catalogue().clauses
        if clause.section == "creation"
        and clause.check == "introspection"
        and clause.id.endswith(".declared")
        and clause.member
    }
)


@pytest.mark.clause("creation.module.all_lists_classes")
def test_all_lists_documented_classes(target: TargetLike) -> None:
    """Each documented class the module provides is named in its ``__all__``."""
    module = implementation_module(target)
    exported = getattr(module, "__all__", None)
    if exported is None:
        # Without __all__ a star import takes every public name: nothing can be left out.
        return
    provided = [
        name for name in _DOCUMENTED_CLASSES if isinstance(getattr(module, name, None), type)
    ]
    missing = [name for name in provided if name not in exported]
    assert not missing, f"{module.__name__}.__all__ leaves out {', '.join(missing)}"

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


def _platform_classes() -> list[str]:
    """The classes creation.module.platform_classes requires on this machine."""
    import os
    import socket
    import sys

    unix, fork = hasattr(socket, "AF_UNIX"), hasattr(os, "fork")
    wanted: list[str] = []
    if unix:
        wanted += ["UnixStreamServer", "UnixDatagramServer"]
        wanted += ["ThreadingUnixStreamServer", "ThreadingUnixDatagramServer"]
    if fork:
        wanted += ["ForkingMixIn", "ForkingTCPServer", "ForkingUDPServer"]
    if unix and fork and sys.version_info >= (3, 12):  # versionadded 3.12
        wanted += ["ForkingUnixStreamServer", "ForkingUnixDatagramServer"]
    return wanted


@pytest.mark.clause("creation.module.platform_classes")
def test_module_provides_the_platforms_classes(target: TargetLike) -> None:
    """Where AF_UNIX and os.fork exist, the module provides the Unix and forking classes.

    Which classes depends on the running Python too: the forking Unix servers came in 3.12.
    """
    module = implementation_module(target)
    missing = [
        name for name in _platform_classes() if not isinstance(getattr(module, name, None), type)
    ]
    assert not missing, (
        f"expected {module.__name__} to provide {', '.join(missing)} on this platform"
        " (it has socket.AF_UNIX / os.fork); a module that leaves them out is verified on"
        " fewer classes"
    )

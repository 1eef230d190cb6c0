"""Every conformance check, for collecting the suite inside your own tests.

This is plain pytest: pytest collects the test functions a test module holds,
wherever they were defined, and a fixture defined in a test module overrides
the plugin's fixture of the same name (the way fsspec's and array-api-tests'
suites let a project plug its implementation in).  Put one module in your test
tree::

    # tests/test_socketserver_conformance.py
    from sockspec.conformance.suite import *  # noqa: F403 - every conformance check
    from sockspec.conformance.suite import sockspec_target

    target = sockspec_target("mypkg.server:MyServer", "mypkg.server:MyHandler")

``sockspec_target(*targets)`` builds a ``target`` fixture parametrized over the
named targets (any ``--sockspec-target`` form, adapters included); defining
``target`` in the module overrides the plugin's, and the plugin then leaves
the parametrization to it.  Without that line the targets come from
``--sockspec-target`` or the ``sockspec_targets`` ini setting as usual.

Your normal ``pytest`` run then includes the checks, with their clause
markers (``-k server.handle_request`` and ``-m clause`` work) and test IDs
naming the target; ``sockspec_edition``, ``sockspec_timeout`` and
``sockspec_xfail_file`` apply as in any run.  The checks are the functions of
:mod:`sockspec.conformance.checks` themselves, not copies; their fixtures
(``harness``, ``check_timeout``, ``sockspec_edition``) come from the plugin.
A name two check modules share is exported with its module's name as a prefix.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any, Callable

import pytest

from .state import CHECKS_PACKAGE
from .targets import Target, resolve_targets

__all__ = ["sockspec_target"]


def sockspec_target(*texts: str) -> Any:
    """A ``target`` fixture parametrized over the targets ``texts`` name (resolved now)."""
    targets = [found for text in texts for found in resolve_targets(text)]

    def target(request: pytest.FixtureRequest) -> Target:
        param: Target = request.param
        return param

    target.__doc__ = "The class under verification (this module's own targets)."
    fixture: Callable[..., Any] = pytest.fixture(
        params=targets, ids=[found.spec for found in targets], name="target"
    )(target)
    return fixture


def _checks() -> dict[str, object]:
    """The check functions of every module of the checks package, by exported name."""
    package = importlib.import_module(CHECKS_PACKAGE)
    found: dict[str, object] = {}
    modules = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("test_")
    )
    for module_name in modules:
        module = importlib.import_module(f"{CHECKS_PACKAGE}.{module_name}")
        for name, value in vars(module).items():
            if name.startswith("test_") and inspect.isfunction(value):
                key = name if name not in found else f"{module_name}__{name}"
                found[key] = value
    return found


globals().update(_checks())
# Computed: the checks are found when this module is imported.
__all__ += [name for name in globals() if name.startswith("test_")]  # pyright: ignore[reportUnsupportedDunderAll]

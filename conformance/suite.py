"""Every conformance check and its fixtures, for collecting the suite inside your own tests.

Put one module in your test tree::

    # tests/test_socketserver_conformance.py
    from sockspec.conformance.suite import *  # noqa: F403 - every conformance check

and name the classes to verify in your pytest configuration::

    # pytest.ini (or [tool.pytest.ini_options] in pyproject.toml)
    [pytest]
    sockspec_targets =
        mypkg.server:MyServer
        mypkg.server:MyHandler

Your normal ``pytest`` run then includes the checks, with their clause
markers (``-k server.handle_request`` and ``-m clause`` work) and test IDs
naming the target.  ``--sockspec-target`` overrides the ini setting for one
run; ``sockspec_edition``, ``sockspec_timeout`` and ``sockspec_xfail_file``
work the same way.

The checks are copies of the functions in :mod:`sockspec.conformance.checks`
(their markers included, module-level ``pytestmark`` folded in); the fixtures
of the checks package's ``conftest.py`` are exported too, so the copies find
them.  A name that two check modules share is exported with its module's name
as a prefix.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
from typing import Callable

from .plugin import CHECKS_PACKAGE


def _is_fixture(obj: object) -> bool:
    # pytest 8.4+ wraps fixtures in FixtureFunctionDefinition; older ones mark the function.
    return (
        type(obj).__name__ == "FixtureFunctionDefinition"
        or getattr(obj, "_pytestfixturefunction", None) is not None
        or getattr(obj, "_fixture_function_marker", None) is not None
    )


def _copy(function: types.FunctionType, extra_marks: list[object]) -> Callable[..., object]:
    clone = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    clone.__dict__.update(function.__dict__)
    clone.__doc__ = function.__doc__
    clone.__kwdefaults__ = function.__kwdefaults__
    clone.__qualname__ = function.__qualname__
    clone.__module__ = function.__module__
    clone.__annotations__ = dict(function.__annotations__)
    if extra_marks:
        clone.__dict__["pytestmark"] = [*function.__dict__.get("pytestmark", []), *extra_marks]
    return clone


def _export(namespace: dict[str, object]) -> list[str]:
    package = importlib.import_module(CHECKS_PACKAGE)
    names: list[str] = []
    modules = [
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("test_") or info.name == "conftest"
    ]
    for module_name in sorted(modules, key=lambda name: name != "conftest"):
        module = importlib.import_module(f"{CHECKS_PACKAGE}.{module_name}")
        module_marks = list(getattr(module, "pytestmark", []) or [])
        for name, value in vars(module).items():
            exported: object
            if _is_fixture(value):
                exported = value
            elif name.startswith("test_") and inspect.isfunction(value):
                exported = _copy(value, module_marks)
            else:
                continue
            key = name
            if key in namespace and namespace[key] is not value:
                key = f"{module_name}__{name}"
            namespace[key] = exported
            names.append(key)
    return names


# Computed: the checks are found when this module is imported.
__all__ = _export(globals())  # noqa: PLE0605  # pyright: ignore[reportUnsupportedDunderAll]

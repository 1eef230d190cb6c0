"""The API reference page: one ``automodule`` per public module, found at build time.

Listing the modules by walking the installed packages keeps the reference complete as
modules are added; the conformance checks themselves (the ``checks`` package and
``test_*`` modules) are the suite, not its API, and are left out.
"""

from __future__ import annotations

import importlib
import pkgutil

from .rst import heading

PACKAGES = ("sockspec.spec", "sockspec.conformance", "sockspec.impl")
_EXCLUDED_NAMES = ("__main__", "conftest")
#: Packages shown by their docstring only: their modules are test code, not API.
_DOCSTRING_ONLY = ("sockspec.conformance.checks",)


def _is_public(name: str) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    return not (leaf.startswith(("_", "test_")) or leaf in _EXCLUDED_NAMES)


def public_modules(package: str) -> list[str]:
    """``package`` and its public submodules, depth first, in name order."""
    found = [package]
    module = importlib.import_module(package)
    path = getattr(module, "__path__", None)
    if path is None:
        return found
    for info in sorted(pkgutil.iter_modules(path, package + "."), key=lambda i: i.name):
        if not _is_public(info.name):
            continue
        if info.name in _DOCSTRING_ONLY:
            found.append(info.name)
        elif info.ispkg:
            found.extend(public_modules(info.name))
        else:
            found.append(info.name)
    return found


def _reexports(module_name: str, documented: set[str]) -> str:
    """A sentence linking the names a module re-exports in ``__all__`` to their definitions."""
    module = importlib.import_module(module_name)
    exported: list[str] = []
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name, None)
        home = getattr(obj, "__module__", module_name)
        if home != module_name and home in documented:
            exported.append(f":py:obj:`{name} <{home}.{name}>`")
    if not exported:
        return ""
    return f"Importable from ``{module_name}``: " + ", ".join(exported) + ".\n"


def api_rst(packages: tuple[str, ...] = PACKAGES) -> str:
    """A section per package, an ``automodule`` per module.

    Each object is documented once, in the module that defines it
    (``:ignore-module-all:``); a package's re-exports link there.
    """
    modules = {package: public_modules(package) for package in packages}
    # Only objects of modules documented with their members can be linked to.
    documented = {
        name for names in modules.values() for name in names if name not in _DOCSTRING_ONLY
    }
    parts: list[str] = []
    for package, names in modules.items():
        parts.append(heading(f"``{package}``", "-"))
        for name in names:
            if name != package:
                parts.append(heading(f"``{name}``", "~"))
            if name in _DOCSTRING_ONLY:
                parts.append(f".. automodule:: {name}\n")
                continue
            parts.append(f".. automodule:: {name}\n   :members:\n   :ignore-module-all:\n")
            parts.append(_reexports(name, documented))
    return "\n".join(part for part in parts if part)

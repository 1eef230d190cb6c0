"""A pytest plugin, loaded with ``-p sockspec_docs.marker_dump`` during collection only.

For every collected item it records the clause IDs named by its ``clause``
markers, as ``{clause_id: ["module::test", ...]}``, in the JSON file named by
the environment variable :data:`OUTPUT_VARIABLE`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

OUTPUT_VARIABLE = "SOCKSPEC_DOCS_MARKERS_OUT"


def _check_name(item: pytest.Item) -> str:
    module = getattr(getattr(item, "module", None), "__name__", None)
    # The node ID's path part depends on where pytest ran; the module name does not.
    # Parametrized variants are one check for the catalogue: drop the "[...]" suffix.
    local = item.nodeid.split("::", 1)[-1].split("[", 1)[0]
    return f"{module}::{local}" if module else item.nodeid


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Write the clause markers of the collected items."""
    target = os.environ.get(OUTPUT_VARIABLE)
    if not target:
        return
    by_clause: dict[str, set[str]] = {}
    for item in items:
        for marker in item.iter_markers("clause"):
            if marker.args and isinstance(marker.args[0], str):
                by_clause.setdefault(marker.args[0], set()).add(_check_name(item))
    document = {clause: sorted(checks) for clause, checks in by_clause.items()}
    Path(target).write_text(json.dumps(document, indent=1), encoding="utf-8")

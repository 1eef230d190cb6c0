"""The clause catalogue: every documented behaviour of socketserver, as data.

The catalogue is the project's single source of truth.  It is shipped as
``clauses.json`` next to this module; the Protocols' docstrings, the
conformance suite, the reports and the documentation all refer to its clause
IDs.  This module is its public face: the records and the one list each of
editions, check kinds, leak kinds and traits live in ``_records.py``, reading
and validating ``clauses.json`` (with the standard library only) in
``_loader.py``; both are re-exported here.
"""

from __future__ import annotations

from ._loader import FORMAT, load_catalogue, parse_catalogue
from ._records import (
    CHECK_KINDS,
    EDITIONS,
    HANDLER_TRAITS,
    KIND_AREAS,
    LEAK_KINDS,
    TRAITS,
    Catalogue,
    CatalogueError,
    CheckKind,
    Clause,
    Edition,
    LeakKind,
    Section,
    Source,
    Version,
    declared_clause_id,
)

__all__ = [
    "CHECK_KINDS",
    "EDITIONS",
    "FORMAT",
    "HANDLER_TRAITS",
    "KIND_AREAS",
    "LEAK_KINDS",
    "TRAITS",
    "Catalogue",
    "CatalogueError",
    "CheckKind",
    "Clause",
    "Edition",
    "LeakKind",
    "Section",
    "Source",
    "Version",
    "declared_clause_id",
    "load_catalogue",
    "parse_catalogue",
]

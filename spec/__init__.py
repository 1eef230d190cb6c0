"""sockspec.spec: the documented socketserver interface as typing Protocols.

The clause catalogue (:mod:`sockspec.spec.catalogue`) is the single source of
truth the Protocols, the conformance suite and the docs refer to.
"""

from __future__ import annotations

from .catalogue import Catalogue, Clause, load_catalogue

__all__ = ["Catalogue", "Clause", "load_catalogue"]

"""The mutant zoo: deliberately broken socketserver implementations.

Each class here departs from the documented interface in one way, and
:data:`sockspec_mutants.registry.MUTANTS` names the clause the conformance
suite must reject it on.  The package is imported by the conformance CLI in a
subprocess (``PYTHONPATH`` points at ``tests/mutants``), so every module must
import cleanly on CPython 3.9 to 3.13.
"""

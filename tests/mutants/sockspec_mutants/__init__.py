"""The mutant zoo: deliberately broken socketserver implementations.

Each class here departs from the documented interface in one way, and
:data:`sockspec_mutants.registry.MUTANTS` names the clause the conformance
suite must reject it on.  The package is imported by the conformance CLI in a
subprocess (``PYTHONPATH`` points at ``tests/mutants``), so every module must
import cleanly on CPython 3.9 to 3.13.  To see one mutant caught::

    PYTHONPATH=tests/mutants sockspec-conformance \\
        sockspec_mutants.loop:ShutdownIgnored --clause server.shutdown.stops_serve_forever

``tests/mutants/test_mutant_kill.py`` does this for every mutant; run it without
``-n`` (``pytest tests/mutants -p no:xdist``) to get the kill-rate summary line.
"""

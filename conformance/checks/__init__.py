"""The conformance checks: one or more per catalogue clause, run against any target.

Each check carries exactly one ``@pytest.mark.clause(...)`` marker naming the
clause it verifies; the engine's plugin provides the ``target`` and
``check_timeout`` fixtures and skips checks whose clause does not apply.
"""

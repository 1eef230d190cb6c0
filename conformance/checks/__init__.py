"""The conformance checks: one or more per catalogue clause, run against any target.

Each check carries exactly one ``@pytest.mark.clause(...)`` marker naming the
clause it verifies and a one-line docstring stating the behaviour (the
engine shows it as the expectation in a failure's reproducer).  The engine's
plugin provides the fixtures (``target``, ``check_timeout``, ``harness`` (a
:class:`sockspec.conformance.harness.Harness` for the target) and
``sockspec_edition``) and skips checks whose clause does not apply.

Modules follow the catalogue's sections: ``test_creation`` (creation notes and
the concrete classes), ``test_server_methods`` (the request loop and its hooks),
``test_server_attributes`` (attributes and class variables as the socket shows
them), ``test_handlers`` (base, stream and datagram handlers),
``test_threading`` and ``test_forking`` (the mix-ins), ``test_resources``,
``test_declared`` (introspection: documented members through
:func:`~sockspec.spec.verification.verify`, the module's classes, parameters and defaults)
and ``test_typed_contract`` (run-time evidence for the typed clauses).

A check that observes something which must *not* happen (a ``shutdown()`` that
returns early, a second child that starts too soon) gives the target a short
grace period to do it; passing targets pay that wait, and no check asserts how
long anything took.  A check skips itself, with the reason, only where its
clause's text excludes the target (e.g. "a server without a mix-in") or the
platform lacks what the observation needs.
"""

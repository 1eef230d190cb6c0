"""The conformance checks: one or more per catalogue clause, run against any target.

Each check carries exactly one ``@pytest.mark.clause(...)`` marker naming the
clause it verifies (a parametrized check, one per case: ``_helpers.clause_param``)
and a one-line docstring stating the behaviour (the
engine shows it as the expectation in a failure's reproducer).  The engine's
plugin provides the fixtures (``target``, ``check_timeout``, ``harness`` (a
:class:`sockspec.conformance.harness.Harness` for the target) and
``sockspec_edition``) and skips checks whose clause does not apply.

Modules follow the catalogue's sections, and the server methods are grouped by
member: ``test_creation`` (creation notes and the concrete classes);
``test_handle_request``, ``test_serve_forever``, ``test_shutdown``,
``test_server_close`` (with the context manager), ``test_handle_error``,
``test_request_hooks`` (get_request, verify_request, process_request,
finish_request, shutdown_request, handle_timeout) and ``test_activation``
(server_bind, server_activate, fileno); ``test_server_attributes`` (attributes and
class variables as the socket shows them); ``test_handlers`` (BaseRequestHandler)
and ``test_handler_io`` (stream and datagram rfile/wfile); ``test_threading`` and
``test_forking`` (the mix-ins); ``test_resources``; ``test_declared``
(introspection: documented members through :func:`~sockspec.spec.verification.verify`,
the module's classes and parameters) and ``test_defaults`` (documented default
values); ``test_typed_contract`` (run-time evidence for the typed clauses).
Set-ups several modules share (a spy on get_request, a tracked socket pair, a server
built unbound or with mix-in attributes, each checking its precondition) are in
``_helpers``.

A check that observes something which must *not* happen (a ``shutdown()`` that
returns early, a second child that starts too soon) gives the target a short
grace period to do it; passing targets pay that wait, and no check asserts how
long anything took.  Which targets a clause applies to is the catalogue's
(``applies_to`` and ``excludes``, e.g. "not for threading servers", and the traits
for what the target is: ``implementation`` for a class of a socketserver module,
``own-handle`` for a handler with its own ``handle()``): no check skips itself as
"not applicable".  A check skips only where the platform lacks what the
observation needs (``/proc``, ``SO_REUSEPORT``, ``os.fork``).  A check whose
precondition is another clause's promise calls
:func:`~sockspec.conformance.preconditions.blocked` when it does not hold.
"""

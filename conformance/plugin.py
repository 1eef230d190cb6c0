"""The pytest plugin that runs the conformance suite (registered as ``pytest11`` ``sockspec``).

Run the suite against a class, a module or an adapter::

    pytest --pyargs sockspec.conformance.checks --sockspec-target=mypkg.server:MyServer
    pytest --pyargs sockspec.conformance.checks --sockspec-target=mypkg.adapters:make_server

Options (each also an ini setting, for a project's own pytest configuration):
``--sockspec-target`` (repeatable; ini ``sockspec_targets``, one a line),
``--sockspec-edition classic|current`` (ini ``sockspec_edition``),
``--sockspec-timeout SECONDS`` (ini ``sockspec_timeout``), ``--sockspec-xfail-file``
(ini ``sockspec_xfail_file``), ``--sockspec-clause GLOB`` (repeatable).

What it does to a *conformance check* (a test function defined in
``sockspec.conformance.checks``, wherever it is collected from):

* parametrizes the ``target`` fixture over the resolved targets (test IDs carry
  the target spec; the stdlib ``socketserver`` module when none is given);
* requires exactly one ``@pytest.mark.clause("<id>")`` naming a catalogue
  clause, adds the clause ID as a ``-k`` keyword, and skips the check with a
  reason when the clause is not in the selected edition or Python version, or
  when the target lacks one of its traits (``not applicable: needs datagram``);
* marks known deviations from the xfail file as ``xfail`` (non-strict);
* interrupts a check that runs longer than the timeout, and stops a target
  whose checks keep hanging (the rest are reported as not run);
* guards resources: descriptors, threads and child processes a check leaves
  behind fail it under a ``resources.*`` clause and are cleaned up;
* reports a check whose precondition another clause states as *blocked by*
  that clause, and shows a reproducer for a failing one.

Every other test is left alone: the plugin is loaded in every pytest session
where sockspec is installed and must change nothing there.  The hooks live in
:mod:`sockspec.conformance.hooks`, one module per family, registered from here;
the session state and the constants are in :mod:`sockspec.conformance.state`.
"""

from __future__ import annotations

from .state import (
    CHECKS_PACKAGE,
    DEFAULT_TARGET,
    DEFAULT_TIMEOUT,
    CheckTimeout,
    ResourceLeak,
    SuiteState,
    checks_directory,
    clause_of,
    is_conformance_check,
    suite_state,
)

# Each hook family is a plugin of its own (pytest registers these with this module).
# pytest imports them in this order and rewrites their asserts when sockspec is a regular
# install; a module imported by an earlier one could no longer be rewritten (a warning, an
# error under -W error), so timeouts, which collection and leaks import, comes first.
pytest_plugins = [
    "sockspec.conformance.hooks.timeouts",
    "sockspec.conformance.hooks.options",
    "sockspec.conformance.hooks.collection",
    "sockspec.conformance.hooks.leaks",
    "sockspec.conformance.hooks.reporting",
]

__all__ = [
    "CHECKS_PACKAGE",
    "DEFAULT_TARGET",
    "DEFAULT_TIMEOUT",
    "CheckTimeout",
    "ResourceLeak",
    "SuiteState",
    "checks_directory",
    "clause_of",
    "is_conformance_check",
    "suite_state",
]

"""sockspec.conformance: verify any socketserver implementation clause by clause.

Three ways in, all running the same checks (:mod:`sockspec.conformance.checks`):

* the command ``sockspec-conformance [TARGET ...]`` (:mod:`sockspec.conformance.cli`),
  which prints the clause report and writes JSON (``report_schema.json``) or JUnit XML;
* ``pytest --pyargs sockspec.conformance.checks --sockspec-target=TARGET``, through the
  pytest plugin (:mod:`sockspec.conformance.plugin`);
* your own test tree: ``from sockspec.conformance.suite import *`` in a test module, with
  ``sockspec_targets`` in your pytest configuration (:mod:`sockspec.conformance.suite`).

A TARGET is ``module``, ``module:QualName`` or ``module:QualName[trait,...]``
(:mod:`sockspec.conformance.targets`).
"""

from __future__ import annotations

from .targets import Target, TargetError, resolve_targets

__all__ = ["Target", "TargetError", "resolve_targets"]

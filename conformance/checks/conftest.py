"""The checks' fixtures (``target``, ``check_timeout``, ``harness``, ``sockspec_edition``).

They are defined by the plugin (:mod:`sockspec.conformance.hooks.collection`), not
here, so that a check imported into a project's own test module finds them too.
"""

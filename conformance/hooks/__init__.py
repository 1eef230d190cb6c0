"""The pytest plugin's hooks, one module per family (registered by the plugin module).

* ``options``: command-line options, ini settings and the session's ``SuiteState``;
* ``collection``: parametrization over targets, the fixtures (``target``, ``harness``,
  ...), applicability, ``--sockspec-clause``, the xfail file, checks not to run;
* ``timeouts``: the per-check time limit and the count of hung checks per target;
* ``leaks``: the resource guard: warm-up, snapshots, leak attribution and clean-up;
* ``reporting``: blocked verdicts, suite errors, reproducers, the terminal summary.
"""

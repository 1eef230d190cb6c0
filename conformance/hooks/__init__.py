"""The pytest plugin's hooks, one module per family (registered by the plugin module).

``options``      command-line options, ini settings and the session's :class:`SuiteState`;
``collection``   parametrization over targets, the ``target``/``harness`` fixtures,
                 applicability, ``--sockspec-clause`` and the xfail file;
``timeouts``     the per-check time limit and the stop for targets that keep hanging;
``leaks``        the resource guard: warm-up, snapshots, leak attribution and clean-up;
``reporting``    blocked and not-run verdicts, reproducers, the terminal summary.
"""

"""sockspec benchmarks: the reference implementation against the stdlib and a raw-socket floor.

Run with ``make bench`` (or ``python -m bench`` from the repository root). Nothing here is
part of the installed distribution or of the test suite.
"""

"""Reliability tests: soak, faults, bad input and pathological targets (issue 8)."""

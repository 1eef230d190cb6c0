"""Checks that rest on another clause: the ``blocked`` verdict.

Many checks need something another clause promises before they can observe their
own clause: a constructor that takes ``bind_and_activate=False``, a
``daemon_threads`` a subclass can set, a server that can be built at all.  When
that precondition does not hold, the check has learnt nothing about its own
clause; failing it would blame the target twice for one deviation.  Such a check
calls :func:`blocked` instead: pytest counts it as skipped, the plugin records the
clause it rests on, and the report shows ``BLOCKED`` (by that clause), counted
apart from passed and failed.  The clause the check rests on carries the failure
through its own check.
"""

from __future__ import annotations

from typing import NoReturn

# pytest documents this class as ``pytest.skip.Exception``; type checkers only see it here.
from _pytest.outcomes import Skipped

__all__ = ["Blocked", "blocked"]


class Blocked(Skipped):
    """Raised by a check whose precondition, stated by clause ``clause_id``, does not hold."""

    def __init__(self, clause_id: str, reason: str) -> None:
        super().__init__(f"blocked by {clause_id}: {reason}", allow_module_level=False)
        self.clause_id = clause_id
        self.reason = reason


def blocked(clause_id: str, reason: str) -> NoReturn:
    """Stop the running check: it rests on ``clause_id``, which the target does not meet.

    ``reason`` says what was observed ("takes no bind_and_activate parameter").
    """
    raise Blocked(clause_id, reason)

"""Harness steps that can hang, the clause each one rests on, and the hangs already seen.

Stopping a served server (``shutdown()``, then the ``serve_forever()`` loop ending) and
closing one (``server_close()``) are steps the harness takes around almost every check.
When one of them never returns, that is a deviation from the clause promising it
returns, not from the clause the check was about: :data:`HANG_STEPS` names that clause
(the one table of it; its IDs are checked against the catalogue by the unit tests).

Once a step has hung on a target, :class:`KnownHangs` remembers where it first did.  A
later check reaching that step waits only a short grace, then is blocked by the step's
clause (a step inside the check), or has its server abandoned (the harness closing up
after a check): the target's other clauses are still judged, each without paying the
full time limit again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Optional

from ..preconditions import Blocked

__all__ = [
    "CLOSE_STEP",
    "HANG_STEPS",
    "STOP_STEP",
    "HangStep",
    "KnownHangs",
    "StepHang",
    "interrupted_step",
]


@dataclass(frozen=True)
class HangStep:
    """A harness step that may never return on a deviating target."""

    #: What the harness calls, in the words of the messages ("server_close()").
    what: str
    #: The catalogue clause promising that the step returns.
    clause: str


#: Stopping a served server: shutdown() from another thread, then the loop returning.
STOP_STEP = "stop"
#: Closing a server, served or not.
CLOSE_STEP = "server_close"

HANG_STEPS: Mapping[str, HangStep] = {
    STOP_STEP: HangStep(
        "shutdown() stopping serve_forever()", "server.shutdown.stops_serve_forever"
    ),
    CLOSE_STEP: HangStep("server_close()", "server.server_close.returns"),
}


def interrupted_step(traceback: Optional[TracebackType]) -> Optional[str]:
    """The step a check's time limit interrupted, read from where it was waiting, or None.

    A check may call ``server_close()`` itself (directly or by leaving a ``with server:``
    block).  Interrupted inside ``server_close()`` while that waits in ``shutdown()`` (for
    a loop that never ran: the stdlib's server_close() never calls it), the check hung at
    the closing step.  Any other place stays a hang of the check itself.
    """
    names: list[str] = []
    while traceback is not None:
        names.append(traceback.tb_frame.f_code.co_name)
        traceback = traceback.tb_next
    if "server_close" in names and "shutdown" in names[names.index("server_close") :]:
        return CLOSE_STEP
    return None


class StepHang(Blocked):
    """A step inside a check hung (or is known to): the check is blocked by its clause.

    ``waited`` is true when this check paid the full wait (a hang the hang stop counts),
    false when the step was already known to hang and only the grace was waited.
    """

    def __init__(self, step: str, reason: str, waited: bool) -> None:
        super().__init__(HANG_STEPS[step].clause, reason)
        self.step = step
        self.waited = waited


@dataclass
class KnownHangs:
    """The steps that already hung on one target, and the check each first hung in."""

    first: dict[str, str] = field(default_factory=dict[str, str])

    def known(self, step: str) -> Optional[str]:
        """Why ``step`` is not waited for again, or None while it has not hung yet."""
        check = self.first.get(step)
        if check is None:
            return None
        return f"{HANG_STEPS[step].what} is known to hang on this target (first in {check})"

    def note(self, step: str, check: str) -> None:
        """``step`` hung in ``check`` (the first such check is kept)."""
        self.first.setdefault(step, check or "a check")

"""Plain helpers the conformance checks use to drive a server or handler under test.

Nothing here needs a pytest session (a check's precondition that does not hold
raises :class:`~sockspec.conformance.preconditions.Blocked`, a pytest skip, and
nothing more): a :class:`Harness` is a context manager that
builds servers of the target class on safe addresses (``127.0.0.1`` or ``::1``
port 0, or a short path in a private temporary directory), runs them, talks to
them as a client, records which hooks ran, and on exit closes every socket,
server, thread, child process and directory it caused to exist.  Every wait has
a deadline; what the target should have done in time and did not is reported
with :class:`HangError`, an ``AssertionError`` so that the check fails instead of
erroring, except at the harness's own steps (stopping and closing a server): their
hangs are charged to the clause each step rests on (:data:`HANG_STEPS`).

Hook calls are recorded through a pipe (:class:`Recorder`), so calls made in a
handler thread or in a forked child process arrive in the check's process too.

One private module per concern, all re-exported here (and documented as this
package's, the way ``trio.testing`` presents its private modules):

* ``_base``: constants, errors, :class:`TargetLike`;
* ``_recorder``: the cross-process event log;
* ``_spies``: the reply handler and recording subclasses;
* ``_waiting``: deadlines: polling, background calls, reaping children;
* ``_output``: capturing standard output and error;
* ``_probes``: OS probes (descriptors, children, listening state), also used by the
  resource guard and by our own tests;
* ``_construction``: the standard constructor, adapters, blocked preconditions;
* ``_hangs``: the steps that can hang, their clauses, the hangs already seen;
* ``_resources``, ``_clients``, ``_harness``: the :class:`Harness` itself.
"""

from __future__ import annotations

from ._base import DEFAULT_TIMEOUT, POLL_INTERVAL, Address, HangError, HarnessError, TargetLike
from ._clients import recv_until_eof
from ._construction import (
    ADAPTER_HINT,
    BIND_AND_ACTIVATE_CLAUSE,
    HANDLER_HINT,
    KNOB_CLAUSES,
    construction_problem,
)
from ._hangs import HANG_STEPS, HangStep, KnownHangs, StepHang, interrupted_step
from ._harness import Harness, hands_off_requests, process_request_mixin, warm_up
from ._output import Captured, OutputCapture
from ._probes import (
    child_processes,
    child_state,
    describe_fd,
    descriptor_targets,
    ipv6_available,
    is_listening,
    listen_backlog,
    open_descriptors,
    session_members,
)
from ._recorder import Event, Recorder, as_recorded, state_of
from ._spies import DeliberateFailure, DeliberateInterrupt, ReplyHandler, make_recording_class
from ._waiting import (
    BackgroundCall,
    mark_stuck_harness_threads,
    unresponsive_threads,
    wait_until,
)

__all__ = [
    "ADAPTER_HINT",
    "BIND_AND_ACTIVATE_CLAUSE",
    "DEFAULT_TIMEOUT",
    "HANDLER_HINT",
    "HANG_STEPS",
    "KNOB_CLAUSES",
    "POLL_INTERVAL",
    "Address",
    "BackgroundCall",
    "Captured",
    "DeliberateFailure",
    "DeliberateInterrupt",
    "Event",
    "HangError",
    "HangStep",
    "Harness",
    "HarnessError",
    "KnownHangs",
    "OutputCapture",
    "Recorder",
    "ReplyHandler",
    "StepHang",
    "TargetLike",
    "as_recorded",
    "child_processes",
    "child_state",
    "construction_problem",
    "describe_fd",
    "descriptor_targets",
    "hands_off_requests",
    "interrupted_step",
    "ipv6_available",
    "is_listening",
    "listen_backlog",
    "make_recording_class",
    "mark_stuck_harness_threads",
    "open_descriptors",
    "process_request_mixin",
    "recv_until_eof",
    "session_members",
    "state_of",
    "unresponsive_threads",
    "wait_until",
    "warm_up",
]


def _present_as_public() -> None:
    # Tracebacks, reprs and the API reference name the public package, not the private
    # module an object happens to live in.
    for name in __all__:
        obj = globals()[name]
        if (isinstance(obj, type) or callable(obj)) and str(
            getattr(obj, "__module__", "")
        ).startswith(__name__ + "._"):
            obj.__module__ = __name__


_present_as_public()

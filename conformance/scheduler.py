"""Running every target of a command, a few at a time, with progress and clean interruption.

Each target runs in its own pytest process
(:func:`~sockspec.conformance.runner.run_target`) on a worker thread. The command's main
thread starts targets while ``--jobs`` and ``--maxfail`` allow (with ``--jobs`` above 1, a
target that has written nothing for IDLE_AFTER seconds is waiting on a hung check, uses no
CPU, and does not count), prints a progress line as each finishes (flushed at once, so a
log keeps it even if the command is killed later), and on SIGTERM or SIGINT stops starting
targets and cancels the running ones, whose process groups are killed: the command then
reports what finished and marks the rest as not run.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from types import FrameType
from typing import Optional

from .records import Outcome, Record
from .runner import RunOptions, run_target
from .targets import Target
from .verdicts import TargetRun, check_results, target_problem

__all__ = ["Interruption", "progress_line", "run_all"]

#: Signals that stop a run cleanly: a CI job timeout sends SIGTERM, Ctrl-C SIGINT.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# How often the main thread looks up from waiting for targets (a signal handler has run).
_WAKE = 0.2
#: A collected target that wrote no record for this long (or for half the per-check time
#: limit, if that is shorter, but at least a second) is waiting, most likely on a hung
#: check's time limit, and uses no CPU: it does not count against --jobs.
IDLE_AFTER = 5.0
#: With --jobs N > 1, at most this many times N targets run at once, idle ones included.
LEND_FACTOR = 4


class _Activity:
    """When each running target last wrote a record, so that idle ones lend their slot."""

    def __init__(self, idle_after: float) -> None:
        self._lock = threading.Lock()
        self._last: dict[int, float] = {}
        self._idle_after = idle_after

    def watcher(self, index: int, dots: _Dots) -> Callable[[Record], None]:
        """The record callback of target ``index``: notes the time, then prints its dot."""

        def on_record(record: Record) -> None:
            if record["type"] != "session":  # collection has finished once items arrive
                with self._lock:
                    self._last[index] = time.monotonic()
            dots.on_record(record)

        return on_record

    def busy(self, indexes: Iterable[int]) -> int:
        """How many of ``indexes`` are starting up or wrote a record lately."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for i in indexes if now - self._last.get(i, now) <= self._idle_after)


class Interruption:
    """Whether the command was told to stop, and by which signal."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_number = 0

    @property
    def reason(self) -> str:
        """ "interrupted by SIGTERM", or "" while not interrupted."""
        if not self.event.is_set():
            return ""
        if not self.signal_number:
            return "interrupted"
        return f"interrupted by {signal.Signals(self.signal_number).name}"

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as shells report a command a signal stopped."""
        return 128 + (self.signal_number or signal.SIGINT)

    def stop(self, signal_number: int = 0) -> None:
        """Stop the run (what the signal handler does)."""
        if not self.event.is_set():
            self.signal_number = signal_number
        self.event.set()

    def _handle(self, signal_number: int, frame: Optional[FrameType]) -> None:
        self.stop(signal_number)

    @contextmanager
    def handling_signals(self) -> Generator[Interruption, None, None]:
        """SIGTERM and SIGINT stop the run instead of killing the command, while inside."""
        if threading.current_thread() is not threading.main_thread():
            yield self  # only the main thread may set handlers; a caller's thread runs as is
            return
        previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
        for number in STOP_SIGNALS:
            signal.signal(number, self._handle)
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


def progress_line(run: TargetRun, done: int, total: int) -> str:
    """One line per finished target: counts of its checks' outcomes, and how it ended."""
    prefix = f"  [{done}/{total}] {run.target.spec}:"
    problem = target_problem(run)
    if problem is not None:
        return f"{prefix} PROBLEM: {problem[0]} ({run.seconds:.1f} s)"
    counts: dict[Outcome, int] = {}
    for check in check_results(run):
        counts[check.outcome] = counts.get(check.outcome, 0) + 1
    order: tuple[Outcome, ...] = (
        "passed",
        "failed",
        "error",
        "blocked",
        "not-run",
        "xfailed",
        "xpassed",
        "skipped",
        "not-applicable",
    )
    shown = ", ".join(f"{counts[o]} {o}" for o in order if counts.get(o)) or "no checks"
    if run.status == "interrupted":
        ended = f"; INTERRUPTED: {run.problem}"
    else:
        ended = f"; ENDED EARLY: {run.problem}" if run.problem else ""
    return f"{prefix} {shown} ({run.seconds:.1f} s){ended}"


_MARKS = {"passed": ".", "failed": "F", "skipped": "s"}


class _Dots:
    """Prints a character per finished check while one target runs at a time."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.column = 0
        self._lock = threading.Lock()

    def on_record(self, record: Record) -> None:
        if not self.enabled or record["type"] != "report":
            return
        when, outcome = record.get("when"), record.get("outcome")
        if record.get("wasxfail") is not None:
            mark = "x" if outcome == "skipped" else "X"
        elif when == "call" or (when == "setup" and outcome != "passed"):
            mark = _MARKS.get(outcome, "?") if when == "call" or outcome == "skipped" else "E"
        elif when == "teardown" and outcome == "failed":
            mark = "E"
        else:
            return
        with self._lock:
            sys.stdout.write(mark)
            self.column += 1
            if self.column >= 80:
                sys.stdout.write("\n")
                self.column = 0
            sys.stdout.flush()

    def end_line(self) -> None:
        with self._lock:
            if self.column:
                sys.stdout.write("\n")
                self.column = 0


def _failures(run: TargetRun) -> int:
    return sum(1 for check in check_results(run) if check.outcome in ("failed", "error"))


def run_all(
    targets: Sequence[Target],
    options: RunOptions,
    jobs: int,
    *,
    quiet: bool,
    interruption: Interruption,
) -> list[TargetRun]:
    """Run every target; the result has one run per target, in the order given."""
    runs: dict[int, TargetRun] = {}
    failures = 0
    stopped = ""
    workers = max(1, min(jobs, len(targets)))
    # --jobs 1 means one target at a time; with more, idle targets lend their slot.
    most = workers if workers == 1 else min(len(targets), workers * LEND_FACTOR)
    # Per-check progress only makes sense when the characters come from one target at a time.
    dots = _Dots(enabled=not quiet and most == 1)
    activity = _Activity(min(IDLE_AFTER, max(1.0, options.timeout / 2)))
    waiting = list(enumerate(targets))
    with ThreadPoolExecutor(max_workers=most) as pool:
        running: dict[Future[TargetRun], int] = {}
        while waiting or running:
            # Start targets only while --maxfail allows, so that none starts after the limit.
            while (
                waiting
                and len(running) < most
                and activity.busy(running.values()) < workers
                and not stopped
                and not interruption.event.is_set()
            ):
                index, target = waiting.pop(0)
                watcher = activity.watcher(index, dots)
                future = pool.submit(run_target, target, options, watcher, interruption.event)
                running[future] = index
            if not running:
                break
            # Bounded: every run has its own deadline, and a cancelled one ends within a poll.
            done, _ = wait(list(running), timeout=_WAKE, return_when=FIRST_COMPLETED)
            for future in done:
                run = future.result()
                if run.status == "interrupted":
                    run.problem = f"{interruption.reason} before this target finished"
                runs[running.pop(future)] = run
                failures += _failures(run)
                if not quiet:
                    dots.end_line()
                    print(progress_line(run, len(runs), len(targets)), flush=True)
            if options.maxfail and failures >= options.maxfail:
                stopped = f"not run: --maxfail {options.maxfail} reached"
    not_started = stopped or f"not run: {interruption.reason or 'the run stopped'}"
    return [
        runs.get(index) or TargetRun(target, [], None, 0.0, not_started, "not-started")
        for index, target in enumerate(targets)
    ]

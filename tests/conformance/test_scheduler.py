"""The scheduler: --jobs, idle targets lending their slot, interruption (fake runs, in-process)."""

from __future__ import annotations

import socketserver
import threading
from typing import Callable, Optional

import pytest
from sockspec.conformance import scheduler
from sockspec.conformance.records import Record
from sockspec.conformance.runner import RunOptions
from sockspec.conformance.targets import Target
from sockspec.conformance.verdicts import TargetRun

OPTIONS = RunOptions(edition="current", timeout=1.0, deadline=10.0)
#: The longest a fake target "hangs" (each waits until as many targets as expected run).
HANG = 10.0


class _Counter:
    def __init__(self, expected: int) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.expected = expected
        self.release = threading.Event()

    def fake_run(
        self,
        target: Target,
        options: RunOptions,
        on_record: Optional[Callable[[Record], None]] = None,
        cancel: Optional[threading.Event] = None,
    ) -> TargetRun:
        """Collect one check, then wait silently, as a target stuck on a hung check does."""
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            if self.now >= self.expected:
                self.release.set()
        assert on_record is not None
        on_record({"type": "item", "nodeid": "n", "clause": "c", "target": None, "doc": ""})
        self.release.wait(HANG)
        with self.lock:
            self.now -= 1
        return TargetRun(target, [], 0, HANG)


def _targets(count: int) -> list[Target]:
    return [
        Target(f"m:T{i}", socketserver.TCPServer, "server", frozenset({"server"}))
        for i in range(count)
    ]


@pytest.mark.parametrize(("jobs", "most"), [(1, 1), (2, 8)])
def test_idle_targets_lend_their_slot(
    monkeypatch: pytest.MonkeyPatch, jobs: int, most: int
) -> None:
    """Silent targets do not count against --jobs N > 1 (up to 4 x N); --jobs 1 stays serial."""
    counter = _Counter(most)
    monkeypatch.setattr(scheduler, "run_target", counter.fake_run)
    monkeypatch.setattr(scheduler, "IDLE_AFTER", 0.05)  # the fakes go silent at once
    runs = scheduler.run_all(
        _targets(10), OPTIONS, jobs, quiet=True, interruption=scheduler.Interruption()
    )
    assert [run.status for run in runs] == ["completed"] * 10
    assert counter.most == most


def test_interruption_starts_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once stopped, no target starts; those not started are reported as such."""
    counter = _Counter(1)
    monkeypatch.setattr(scheduler, "run_target", counter.fake_run)
    interruption = scheduler.Interruption()
    interruption.stop(15)
    runs = scheduler.run_all(_targets(3), OPTIONS, 2, quiet=True, interruption=interruption)
    assert counter.most == 0
    assert {run.status for run in runs} == {"not-started"}
    assert runs[0].problem == "not run: interrupted by SIGTERM"
    assert interruption.exit_status == 128 + 15

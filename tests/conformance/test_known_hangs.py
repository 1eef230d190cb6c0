"""A hang is a verdict on a clause (issue 11): the harness steps that can hang, and the
checks that reach a step already known to hang on the target.

The fakes in ``helpers.REAL_WORLD_SERVERS`` each hang at one harness step, the way two
real servers do (jsonrpclib-pelix's pooled server in ``server_close()`` when idle, paste's
pool server in ``shutdown()``): the step's clause fails by its own check, the checks that
need the step are blocked by that clause or have their server abandoned, and the target's
other clauses are still judged, with no target stop.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sockspec.conformance.harness import HANG_STEPS
from sockspec.conformance.state import SAME_STEP_HANG_LIMIT, SuiteState
from sockspec.conformance.targets import resolve_target
from sockspec.spec import load_catalogue

from .test_real_servers import Records, reports, run_checks

CLOSE_CLAUSE = "server.server_close.returns"
STOP_CLAUSE = "server.shutdown.stops_serve_forever"


def test_hang_step_clauses_are_catalogue_clauses() -> None:
    """Every clause a harness step's hang is charged to is in the catalogue."""
    catalogue = load_catalogue()
    for step in HANG_STEPS.values():
        assert step.clause in catalogue, step


def verdicts(records: Records) -> dict[str, Counter[str]]:
    """Per clause, how its checks' phases ended (``blocked by X`` for a blocked check)."""
    found: dict[str, Counter[str]] = {}
    for record in reports(records):
        if record["when"] != "call" and record["outcome"] == "passed":
            continue
        outcome = record["outcome"]
        if record.get("blocked_by"):
            outcome = f"blocked by {record['blocked_by']}"
        elif record.get("not_run"):
            outcome = "not-run"
        found.setdefault(record["clause"], Counter())[outcome] += 1
    return found


def full_waits(records: Records, step_message: str) -> list[str]:
    """The abandonment notes of servers the harness waited for in full (a new hang)."""
    return [
        str(r["abandoned"])
        for r in reports(records)
        if r.get("abandoned") and step_message in str(r["abandoned"])
    ]


def test_idle_server_close_hang_fails_its_clause_and_the_rest_is_judged(
    targets_dir: Path,
) -> None:
    """server_close() hangs on every idle server: server.server_close.returns FAILS, the
    harness waits for that step once, then abandons such servers at once; no check is
    stopped as not run and the other clauses keep their own verdicts."""
    run, records = run_checks(
        targets_dir, "real_world:IdleCloseHangServer", "server.*", "--sockspec-timeout=1"
    )
    phases = reports(records)
    assert not [r for r in phases if r.get("not_run")], run.out[-3000:]
    found = verdicts(records)
    assert found[CLOSE_CLAUSE]["failed"] >= 1, (found[CLOSE_CLAUSE], run.out[-3000:])
    passed = [clause for clause, outcomes in found.items() if set(outcomes) == {"passed"}]
    assert len(passed) > 20, found
    assert len(full_waits(records, "did not return within")) == 1, run.out[-3000:]
    known = [r for r in phases if "is known to hang on this target" in str(r.get("abandoned"))]
    assert known, run.out[-3000:]
    assert "server_close() is known to hang on this target (first in " in known[0]["abandoned"]
    # The stuck server_close() callers are the hang, not threads the server leaked.
    assert not [r for r in phases if r.get("leak")], run.out[-3000:]


def test_loop_ignoring_shutdown_blocks_the_checks_that_stop_it(targets_dir: Path) -> None:
    """serve_forever() ignores shutdown(): server.shutdown.stops_serve_forever FAILS, the
    checks that serve with the harness are BLOCKED by it, handle_request()'s clauses PASS,
    and the target is not stopped."""
    run, records = run_checks(
        targets_dir,
        "real_world:LoopIgnoresShutdownServer",
        "server.handle_request.*",
        "server.serve_forever.*",
        "server.shutdown.*",
        "--sockspec-timeout=1",
    )
    phases = reports(records)
    assert not [r for r in phases if r.get("not_run")], run.out[-3000:]
    found = verdicts(records)
    assert found[STOP_CLAUSE]["failed"] >= 1, (found[STOP_CLAUSE], run.out[-3000:])
    blocked = [c for c, outcomes in found.items() if f"blocked by {STOP_CLAUSE}" in outcomes]
    assert blocked, found
    assert set(found["server.handle_request.order"]) == {"passed"}, found
    reasons = [str(r.get("blocked_reason")) for r in phases if r.get("blocked_by") == STOP_CLAUSE]
    assert any("is known to hang on this target (first in " in r for r in reasons), reasons
    assert not [r for r in phases if r.get("leak")], run.out[-3000:]


def test_hangs_of_one_step_with_no_known_clause_still_stop_the_target() -> None:
    """The last resort stays: hangs of one step the harness has no clause for (a check's
    own wait), interleaved with passing checks, stop the target at the limit, naming them."""
    state = SuiteState(
        edition="current",
        version=(3, 11),
        timeout=1.0,
        target_texts=[],
        clause_globs=[],
        xfails=[],
    )
    target = resolve_target("socketserver:TCPServer")
    step = "tearing down the check did not finish within 1 s (the target hung?)"
    for number in range(SAME_STEP_HANG_LIMIT):
        assert state.hangs(target) is None
        state.note_check(target, f"check_{number}", True, step, in_streak=False)
        state.note_check(target, f"passes_{number}", False)
    reason = state.hangs(target)
    assert reason is not None
    assert reason.startswith("target hangs: check_0, check_1"), reason
    assert reason.endswith(f"(each: {step})"), reason

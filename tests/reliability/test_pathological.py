"""The conformance suite survives pathological targets and leaves nothing running.

Each target of ``sockspec_pathological`` is run through the CLI in its own
session, restricted to the clauses that exercise its pathology, with a short
per-check timeout.  The run must finish, report the target as failing, and
leave no process of its session and no descriptor of this process behind.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from tests.reliability.processes import run_isolated, watch_leaks

HERE = Path(__file__).resolve().parent
CHECK_TIMEOUT = "2"
TARGET_TIMEOUT = "60"
RUN_DEADLINE = 120.0
KILLED_OUTCOMES = ("failed", "error")

#: target class -> the clause patterns whose checks run into its pathology
PATHOLOGIES: dict[str, tuple[str, ...]] = {
    "HangingHandleRequest": ("server.handle_request.timeout",),
    "IgnoresShutdown": ("server.shutdown.stops_serve_forever",),
    "CloseRaises": ("server.server_close.releases_socket",),
    "LeaksSockets": ("server.handle_request.order", "resources.*"),
    "LeaksThreads": ("server.handle_request.order", "resources.*"),
    "ForksForever": ("forking.children.reaped", "resources.*"),
}

#: Pathologies the suite does not report yet: target -> why.
#: Pathologies the suite does not report yet: name -> why (a strict xfail each).
UNREPORTED: dict[str, str] = {}


def _params() -> list[Any]:
    params: list[Any] = []
    for name, clauses in PATHOLOGIES.items():
        marks: list[pytest.MarkDecorator] = []
        if name == "ForksForever" and not hasattr(os, "fork"):
            marks.append(pytest.mark.skip(reason="ForksForever needs os.fork"))
        if name in UNREPORTED:
            marks.append(pytest.mark.xfail(reason=UNREPORTED[name], strict=True))
        params.append(pytest.param(name, clauses, id=name, marks=marks))
    return params


@pytest.mark.parametrize(("name", "clauses"), _params())
def test_suite_reports_pathological_target_and_cleans_up(
    name: str, clauses: tuple[str, ...], tmp_path: Path
) -> None:
    """The CLI finishes, fails the pathological target, and leaves no process or descriptor."""
    target = f"sockspec_pathological:{name}"
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "sockspec.conformance", target, "--json", str(report)]
    command += ["--timeout", CHECK_TIMEOUT, "--target-timeout", TARGET_TIMEOUT]
    for pattern in clauses:
        command += ["--clause", pattern]
    inherited = os.environ.get("PYTHONPATH")
    env = dict(os.environ, NO_COLOR="1")
    env["PYTHONPATH"] = str(HERE) + (os.pathsep + inherited if inherited else "")
    with watch_leaks(settle=0) as leaks:
        finished = run_isolated(command, deadline=RUN_DEADLINE, env=env)
    assert not finished.leftovers, f"processes outlived the CLI: {finished.leftover_commands}"
    assert not leaks, f"the run left {leaks.describe()} in the test process"
    assert finished.returncode == 1, (
        f"expected exit 1 (a failing target); got {finished.returncode}:\n{finished.stderr[-2000:]}"
    )
    document = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    (entry,) = cast("list[dict[str, Any]]", document["targets"])
    verdicts = cast("list[dict[str, Any]]", entry["clauses"])
    failing = [v for v in verdicts if v["outcome"] in KILLED_OUTCOMES and v.get("message")]
    assert failing, f"{target} was not reported: " + ", ".join(
        f"{v['id']}={v['outcome']}" for v in verdicts
    )
    print(f"{target}: " + "; ".join(f"{v['id']}: {v['message'].splitlines()[0]}" for v in failing))

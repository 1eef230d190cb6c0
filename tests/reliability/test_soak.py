"""Short soaks of the stdlib and the reference implementation (``make soak`` runs long ones).

Each soak runs in its own subprocess (``python -m tests.reliability.soak``), so its
leak probes see only what the server did, and a hang cannot stall the test run.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from tests.reliability.processes import run_isolated

ROOT = Path(__file__).resolve().parents[2]
#: Client operations per short soak; ``make soak`` uses thousands.
SHORT_SOAK_REQUESTS = int(os.environ.get("SOCKSPEC_SOAK_REQUESTS", "200"))
SOAK_DEADLINE = 120.0
IMPLEMENTATIONS = ("socketserver", "sockspec.impl")
KINDS = ("tcp", "udp", "threading-tcp", "forking-tcp")


def _soak_params() -> list[Any]:
    params: list[Any] = []
    for implementation in IMPLEMENTATIONS:
        for kind in KINDS:
            marks: list[pytest.MarkDecorator] = []
            if kind.startswith("forking") and not hasattr(os, "fork"):
                marks.append(pytest.mark.skip(reason="ForkingMixIn needs os.fork"))
            if importlib.util.find_spec("_tracemalloc") is None:
                # PyPy: the soak judges memory growth by tracemalloc, which it lacks.
                marks.append(pytest.mark.skip(reason="the soak needs tracemalloc (not on PyPy)"))
            params.append(pytest.param(implementation, kind, marks=marks))
    return params


@pytest.mark.parametrize(("implementation", "kind"), _soak_params())
def test_short_soak_finds_no_problem(implementation: str, kind: str, tmp_path: Path) -> None:
    """A mixed hostile workload leaves the server answering, paired with handle_error, leak-free."""
    module = importlib.import_module(implementation)
    from tests.reliability.soak import KINDS as SOAK_KINDS

    if not hasattr(module, SOAK_KINDS[kind][0]):
        pytest.skip(f"{implementation} has no {SOAK_KINDS[kind][0]} yet")
    report = tmp_path / "soak.json"
    finished = run_isolated(
        [
            sys.executable,
            "-m",
            "tests.reliability.soak",
            "--implementation",
            implementation,
            "--kind",
            kind,
            "--requests",
            str(SHORT_SOAK_REQUESTS),
            "--json",
            str(report),
        ],
        deadline=SOAK_DEADLINE,
        cwd=ROOT,
    )
    assert not finished.leftovers, f"the soak left processes running: {finished.leftovers}"
    assert report.exists(), (
        f"the soak wrote no report (exit {finished.returncode}):\n{finished.stderr[-2000:]}"
    )
    results = cast("list[dict[str, Any]]", json.loads(report.read_text(encoding="utf-8")))
    assert len(results) == 1
    result = results[0]
    print(finished.stdout)
    assert result["problems"] == [], "\n".join(cast("list[str]", result["problems"]))
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert result["still_answers"] is True
    assert result["requests"] == SHORT_SOAK_REQUESTS + 1

"""Judge the module as it is on disk with both suites: cosmic-ray's test command.

cosmic-ray mutates ``socketserver_m.py`` in the work directory and runs
``python judge.py PLAN``; this script then runs

* CPython's own ``test_socketserver`` (a copy importing ``socketserver_m``), and
* ``sockspec-conformance`` on the targets the mutant can affect (``reach.py``), with the
  stdlib xfail file adapted to the module's name,

each under a deadline, writes both verdicts to ``verdicts/<sha256 of the module>.json``
(the driver finds them again from cosmic-ray's session) and exits 1 if either suite
killed the mutant, 0 if both missed it.  A suite that could not judge (its tool broke,
not the mutant) is an ``error`` verdict, never a kill; a sockspec run that ends
``UNVERIFIED`` (exit 1: a check blocked by a clause that did not fail) judged the
mutant and is a kill, marked ``unverified:``.  A run that overruns its
deadline counts as killed only because the driver checked, before any mutant, that the
unmutated module passes the same run well inside that deadline.

``python judge.py PLAN --baseline`` judges the unmutated module and prints the result.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal, Optional, TypedDict, cast

#: incompetent: the mutated module does not even import (cosmic-ray's "incompetent"
#: mutant); neither suite is asked and the mutant counts for neither.
Verdict = Literal["killed", "survived", "error", "incompetent"]


class SuiteVerdict(TypedDict):
    """One suite's judgement of one mutant."""

    verdict: Verdict
    #: Why: the failing tests or clauses, "timeout after N s", or what broke.
    reason: str
    seconds: float


class Judgement(TypedDict):
    """Both suites on one version of the module."""

    sha256: str
    targets: Optional[list[str]]
    cpython: SuiteVerdict
    sockspec: SuiteVerdict


class _Run(TypedDict):
    returncode: Optional[int]
    output: str
    seconds: float


def _run(command: list[str], cwd: Path, timeout: float) -> _Run:
    """Run ``command`` in its own process group; kill the whole group at the deadline."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(cwd)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["NO_COLOR"] = "1"
    started = time.monotonic()
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
            code: Optional[int] = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            code = None
    text = output.decode("utf-8", errors="replace")
    return {"returncode": code, "output": text, "seconds": round(time.monotonic() - started, 2)}


def _imports(plan: dict[str, Any], workdir: Path) -> str:
    """'' if the module on disk imports under the target Python, else the error's last line."""
    run = _run([plan["python"], "-c", "import socketserver_m"], workdir, 60.0)
    if run["returncode"] == 0:
        return ""
    lines = run["output"].strip().splitlines()
    return lines[-1] if lines else f"exit {run['returncode']}"


_UNITTEST_PROBLEM = re.compile(r"^(FAIL|ERROR): (\S+) \(([^)]*)\)", re.MULTILINE)


def _test_name(name: str, where: str) -> str:
    """``Class.test`` from unittest's ``test (module.Class)`` or ``(module.Class.test)``."""
    qualified = where.split(".", 1)[-1]
    return qualified if qualified.endswith("." + name) else f"{qualified}.{name}"


def judge_cpython(plan: dict[str, Any], workdir: Path) -> SuiteVerdict:
    """CPython's own test_socketserver against the module on disk."""
    timeout = float(plan["cpython_timeout"])
    # --failfast: the first failing test is a kill; the tests after it need not run.
    command = [plan["python"], "-m", "unittest", "-q", "--failfast", "test_socketserver_m"]
    run = _run(command, workdir, timeout)
    if run["returncode"] is None:
        return {"verdict": "killed", "reason": f"timeout after {timeout:.0f} s", "seconds": timeout}
    if run["returncode"] == 0:
        return {"verdict": "survived", "reason": "", "seconds": run["seconds"]}
    problems = sorted(
        {
            f"{kind} {_test_name(name, where)}"
            for kind, name, where in _UNITTEST_PROBLEM.findall(run["output"])
        }
    )
    if not problems:
        tail = run["output"].strip().splitlines()[-1:] or [""]
        return {
            "verdict": "error",
            "reason": f"exit {run['returncode']}: {tail[0]}",
            "seconds": run["seconds"],
        }
    return {"verdict": "killed", "reason": "; ".join(problems), "seconds": run["seconds"]}


def _failed_clauses(report: Path) -> list[str]:
    document = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    failed: list[str] = []
    for entry in cast("list[dict[str, Any]]", document["targets"]):
        for verdict in cast("list[dict[str, Any]]", entry["clauses"]):
            if verdict.get("outcome") in ("failed", "error"):
                target = str(entry["target"]).split(":", 1)[-1]
                failed.append(f"{target} {verdict['id']}")
    return failed


def _crashed_targets(report: Path) -> list[str]:
    """Targets whose pytest process ended on its own before the end of the run.

    Only the process's own end counts (an exit status or a signal, as the runner reports
    them), never a deadline, ``--maxfail`` or an interruption.
    """
    document = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    crashed: list[str] = []
    for entry in cast("list[dict[str, Any]]", document["targets"]):
        problem = str(entry.get("problem") or "")
        own_end = problem.startswith(("pytest exited with status", "the pytest process was killed"))
        if entry.get("status") == "ended-early" and own_end:
            target = str(entry["target"]).split(":", 1)[-1]
            crashed.append(f"{target} {problem.strip()}")
    return crashed


def _unverified_blocks(report: Path) -> list[str]:
    """Blocked clauses whose blocking clause did not fail, error or xfail in the run.

    The CLI's rule for ending ``UNVERIFIED`` (``sockspec.conformance.render.
    unverified_blocks``), read from the JSON report as the other readers here do.
    """
    document = cast("dict[str, Any]", json.loads(report.read_text(encoding="utf-8")))
    found: list[str] = []
    for entry in cast("list[dict[str, Any]]", document["targets"]):
        rows = cast("list[dict[str, Any]]", entry["clauses"])
        outcomes = {row["id"]: row.get("outcome") for row in rows}
        for row in rows:
            blocked_by = str(row.get("blocked_by") or "")
            carried = outcomes.get(blocked_by) in ("failed", "error", "xfailed")
            if row.get("outcome") == "blocked" and not carried:
                target = str(entry["target"]).split(":", 1)[-1]
                found.append(f"{target} {row['id']} blocked by {blocked_by}")
    return found


def judge_sockspec(
    plan: dict[str, Any], workdir: Path, targets: Optional[list[str]]
) -> SuiteVerdict:
    """sockspec on the targets the mutant can affect; a survivor is confirmed on the module.

    The restricted run only finds kills sooner: for a mutant it misses, the other targets
    of the module are judged too, so that a survivor has been judged on every target the
    whole module (``sockspec-conformance socketserver_m``) would verify and never rests on
    the reach argument alone.  The whole module's targets are those the *mutated* module
    expands into (as the CLI expands it), less the ones already judged.
    """
    if targets is None:
        return _sockspec_run(plan, workdir, None)
    first = _sockspec_run(plan, workdir, targets) if targets else None
    if first is not None and first["verdict"] != "survived":
        return first
    expansion = _module_targets(plan, workdir)
    if expansion is None:
        rest: Optional[list[str]] = None
    else:
        rest = [name for name in expansion if name not in (targets or [])]
    if rest == []:
        # The restricted run already covered every target of the module.
        assert first is not None
        return {**first, "reason": "restricted targets are the whole module"}
    whole = _sockspec_run(plan, workdir, rest)
    spent = whole["seconds"] + (first["seconds"] if first else 0.0)
    note = "whole module" if rest is None else f"also the module's other {len(rest)} targets"
    reason = f"{whole['reason']} ({note})" if whole["reason"] else note
    return {"verdict": whole["verdict"], "reason": reason, "seconds": round(spent, 2)}


def _module_targets(plan: dict[str, Any], workdir: Path) -> Optional[list[str]]:
    """The class targets the engine expands the module on disk into; None if it cannot."""
    code = (
        "from sockspec.conformance.targets import resolve_targets\n"
        "for t in resolve_targets('socketserver_m'): print('TARGET', t.spec.split(':', 1)[1])\n"
    )
    settings = cast("dict[str, str]", plan["sockspec"])
    run = _run([settings["python"], "-c", code], workdir, 60.0)
    # stderr is in the output too (a mutant may draw a SyntaxWarning): only marked lines.
    names = [line.split()[1] for line in run["output"].splitlines() if line.startswith("TARGET ")]
    if run["returncode"] != 0 or not names:
        return None  # the whole-module run then reports what is wrong
    return names


def _sockspec_run(
    plan: dict[str, Any], workdir: Path, targets: Optional[list[str]]
) -> SuiteVerdict:
    """One sockspec-conformance run on ``targets`` (None: the whole module)."""
    settings = cast("dict[str, str]", plan["sockspec"])
    report = workdir / "sockspec-report.json"
    report.unlink(missing_ok=True)
    names = (
        ["socketserver_m"] if targets is None else [f"socketserver_m:{name}" for name in targets]
    )
    command = [
        settings["cli"], *names, "--json", str(report), "-q", "-j", settings["jobs"],
        "--xfail-file", settings["xfail_file"], "--timeout", settings["check_timeout"],
        "--target-timeout", settings["target_timeout"],
        # One failing clause is a kill; the targets after it need not run.
        "--maxfail", "1",
    ]  # fmt: skip
    timeout = float(settings["run_timeout"])
    run = _run(command, workdir, timeout)
    if run["returncode"] is None:
        return {"verdict": "killed", "reason": f"timeout after {timeout:.0f} s", "seconds": timeout}
    if run["returncode"] == 0:
        return {"verdict": "survived", "reason": "", "seconds": run["seconds"]}
    if run["returncode"] == 1 and report.exists():
        failed = _failed_clauses(report)
        if failed:
            return {"verdict": "killed", "reason": "; ".join(failed), "seconds": run["seconds"]}
        crashed = _crashed_targets(report)
        if crashed:
            # The suite failed the target, but its pytest process died with no check to
            # blame (a mutant that, say, runs the child's os._exit() in the parent).  The
            # unmutated module runs every target to its end (the baseline), so the end is
            # the mutant's; the reason says "crash" so that such kills can be told apart.
            reason = "crash: " + "; ".join(crashed)
            return {"verdict": "killed", "reason": reason, "seconds": run["seconds"]}
        unverified = _unverified_blocks(report)
        if unverified:
            # UNVERIFIED: nothing failed, but a check found a precondition another clause
            # states not holding, and that clause did not fail in the run.  The CLI exits 1, so
            # a CI job rejects the module; the unmutated module passes this very run (the
            # baseline, exit 0), so the block is the mutant's doing: noticed, so killed.
            # The reason says "unverified": the blocking clause's own check missed the change.
            reason = "unverified: " + "; ".join(unverified)
            return {"verdict": "killed", "reason": reason, "seconds": run["seconds"]}
    tail = run["output"].strip().splitlines()[-1:] or [""]
    return {
        "verdict": "error",
        "reason": f"exit {run['returncode']}: {tail[0]}",
        "seconds": run["seconds"],
    }


def judge(plan_path: Path, baseline: bool = False) -> Judgement:
    """Judge the module on disk with both suites and record the result."""
    plan = cast("dict[str, Any]", json.loads(plan_path.read_text(encoding="utf-8")))
    workdir = plan_path.parent
    source = (workdir / "socketserver_m.py").read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    jobs = cast("dict[str, dict[str, Any]]", plan["jobs"])
    # A mutant the plan does not know (it should know all of them) gets the whole module.
    targets = None if baseline else cast("Optional[list[str]]", jobs.get(digest, {}).get("targets"))
    broken = _imports(plan, workdir)
    if broken:
        cpython: SuiteVerdict = {"verdict": "incompetent", "reason": broken, "seconds": 0.0}
        sockspec: SuiteVerdict = {"verdict": "incompetent", "reason": broken, "seconds": 0.0}
    else:
        cpython = judge_cpython(plan, workdir)
        sockspec = judge_sockspec(plan, workdir, targets)
    judgement: Judgement = {
        "sha256": digest,
        "targets": targets,
        "cpython": cpython,
        "sockspec": sockspec,
    }
    if not baseline:
        # One directory for every worker's verdicts (run.py); a plan without one: here.
        verdicts = Path(plan.get("verdicts") or workdir / "verdicts")
        out = verdicts / f"{digest}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(judgement, indent=1), encoding="utf-8")
    return judgement


def main(argv: list[str]) -> int:
    """cosmic-ray's test command: exit 1 if either suite killed the mutant."""
    if not argv or len(argv) > 2 or (len(argv) == 2 and argv[1] != "--baseline"):
        print("usage: judge.py PLAN [--baseline]", file=sys.stderr)
        return 2
    result = judge(Path(argv[0]), baseline=len(argv) == 2)
    print(json.dumps(result))
    killed = "killed" in (result["cpython"]["verdict"], result["sockspec"]["verdict"])
    return 1 if killed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

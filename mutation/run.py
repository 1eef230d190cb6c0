"""Drive ``make mutation``: cosmic-ray (pinned) over each CPython's socketserver.py.

For each Python named in ``MUTATION_PYTHONS`` (default ``3.9 3.13``), found when this
runs (``pyenv`` versions, else ``pythonX.Y`` on PATH):

1. a work directory with the interpreter's ``socketserver.py`` copied as
   ``socketserver_m.py``, its ``test/test_socketserver.py`` adapted to import it, and
   ``conformance/xfails/stdlib.xfail`` adapted to the new name;
2. a venv of that Python with sockspec installed (the suite under test);
3. a baseline: both suites must pass the unmutated copy, and their times set the
   deadlines that make a hang count as a kill;
4. ``cosmic-ray init``; with ``MUTATION_SAMPLE=N`` a seeded sample (``MUTATION_SEED``)
   of N jobs, the rest marked skipped as cosmic-ray's own filters do;
5. a plan: for each job, the targets the mutant can affect (``reach.py``);
6. ``nice -n 19 crtools.py exec``: cosmic-ray's own ``mutate_and_test`` for every job
   with ``judge.py`` as the test command, ``MUTATION_WORKERS`` (default 2) jobs at once,
   each on its own copy of the work directory;
7. ``cosmic-ray dump`` joined with the judge's verdicts into
   ``mutation/results/python-X.Y.json`` (one record per judged mutant).

Usage: ``python -m mutation.run [--out DIR]`` from the repository root.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, cast

from mutation import reach, triage

ROOT = Path(__file__).resolve().parent.parent
CR_VENV = ROOT / ".venv-mutation"
COSMIC_RAY_VERSION = "8.7.0"
STDLIB_XFAILS = ROOT / "conformance" / "xfails" / "stdlib.xfail"
#: Per-check timeout of the suite for mutants and baseline alike (the baseline shows it
#: is long enough for the unmutated module); shorter than the CLI's default of 10 s.
CHECK_TIMEOUT = "5"
#: A suite run may take this many times its baseline before it counts as hung.
DEADLINE_FACTOR = 6.0
#: ...and never less than this: CPython's suite passes the unmutated module in about
#: 1 s (0.86 s on 3.13, 0.98 s on 3.9, measured), so 10 s is still ten times that.
CPYTHON_DEADLINE_FLOOR = 10.0


class RunError(RuntimeError):
    """A step of the run that could not be done; the message is one line."""


def find_python(version: str) -> Path:
    """The interpreter for ``version`` (e.g. "3.13"), found at run time."""
    try:
        root = subprocess.run(
            ["pyenv", "root"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = ""
    if root:
        for candidate in sorted(Path(root, "versions").glob(f"{version}.*")):
            binary = candidate / "bin" / f"python{version}"
            if binary.exists():
                return binary
    found = shutil.which(f"python{version}")
    if found is None:
        raise RunError(f"no CPython {version} found (pyenv or python{version} on PATH)")
    return Path(found)


def _stdlib_file(python: Path, relative: str) -> Path:
    code = (
        "import sysconfig, pathlib;"
        f" print(pathlib.Path(sysconfig.get_paths()['stdlib'], {relative!r}))"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    path = Path(out.stdout.strip())
    if not path.exists():
        raise RunError(f"{python}: {relative} is missing (a Python without its test package?)")
    return path


def _adapt_test_module(text: str) -> str:
    """CPython's test_socketserver, importing socketserver_m under the name socketserver."""
    lines = text.splitlines(keepends=True)
    imports = [n for n, line in enumerate(lines) if line.rstrip() == "import socketserver"]
    if len(imports) != 1:
        raise RunError("test_socketserver.py: expected one 'import socketserver' line")
    lines[imports[0]] = "import socketserver_m as socketserver\n"
    adapted = "".join(lines)
    # test_all compares each object's __module__ with the literal module name.
    return adapted.replace("== 'socketserver'", "== socketserver.__name__")


def _adapt_xfails(text: str) -> str:
    """The stdlib xfail file with its socketserver targets renamed socketserver_m."""
    out: list[str] = []
    for line in text.splitlines():
        renamed = line
        if line.startswith("socketserver:"):
            renamed = "socketserver_m:" + line[len("socketserver:") :]
        out.append(renamed)
    return "\n".join(out) + "\n"


def sh(command: list[str], cwd: Path, what: str) -> str:
    """Run one step of the run; its stdout, or a one-line :class:`RunError` if it failed."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise RunError(f"{what} failed (exit {done.returncode}): {tail[0]}")
    return done.stdout


def venv_with_sockspec(python: Path, version: str, out: Path) -> Path:
    """A venv of ``python`` with the working tree's sockspec installed (fresh each run)."""
    venv = out / f"venv-{version}"
    if not (venv / "bin" / "python").exists():
        sh([str(python), "-m", "venv", str(venv)], ROOT, f"venv for {version}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "-q", "--disable-pip-version-check"]
    sh([*pip, "install", "--force-reinstall", "--no-deps", "."], ROOT, "install sockspec")
    sh([*pip, "install", "."], ROOT, "install sockspec's dependencies")
    return venv


def _prepare(python: Path, version: str, out: Path) -> tuple[Path, str]:
    """The work directory for one Python; returns it and the source's SHA-256."""
    workdir = out / version
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    source = _stdlib_file(python, "socketserver.py").read_text(encoding="utf-8")
    tests = _stdlib_file(python, "test/test_socketserver.py").read_text(encoding="utf-8")
    (workdir / "socketserver_m.py").write_text(source, encoding="utf-8")
    (workdir / "test_socketserver_m.py").write_text(_adapt_test_module(tests), encoding="utf-8")
    xfails = _adapt_xfails(STDLIB_XFAILS.read_text(encoding="utf-8"))
    (workdir / "stdlib_m.xfail").write_text(xfails, encoding="utf-8")
    return workdir, hashlib.sha256(source.encode("utf-8")).hexdigest()


def _targets(venv: Path, workdir: Path) -> list[str]:
    """The class targets the engine expands ``socketserver_m`` into."""
    code = (
        "from sockspec.conformance.targets import resolve_targets\n"
        "for t in resolve_targets('socketserver_m'): print(t.spec.split(':', 1)[1])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(workdir))
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def _baseline(plan_path: Path) -> dict[str, Any]:
    out = sh(
        [sys.executable, str(ROOT / "mutation" / "judge.py"), str(plan_path), "--baseline"],
        ROOT,
        "baseline",
    )
    result = cast("dict[str, Any]", json.loads(out.strip().splitlines()[-1]))
    for suite in ("cpython", "sockspec"):
        if result[suite]["verdict"] != "survived":
            raise RunError(
                f"baseline: {suite} does not pass the unmutated module: {result[suite]['reason']}"
            )
    return result


def _cosmic_ray(*args: str) -> list[str]:
    return [str(CR_VENV / "bin" / "cosmic-ray"), *args]


def _write_config(workdir: Path, plan_path: Path, backstop: float) -> Path:
    config = workdir / "cosmic-ray.toml"
    judge = f"{sys.executable} {ROOT / 'mutation' / 'judge.py'} {plan_path}"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{workdir / "socketserver_m.py"}"\n'
        f"timeout = {backstop:.0f}\n"
        "excluded-modules = []\n"
        f'test-command = "{judge}"\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    return config


def _plan_jobs(
    workdir: Path, session: Path, targets: list[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The judge's plan (SHA-256 -> targets) and cosmic-ray's job list."""
    source = (workdir / "socketserver_m.py").read_text(encoding="utf-8")
    defs = reach.definitions(source)
    whole_module = reach.uses_dynamic_lookup(source)
    out = sh(
        [
            str(CR_VENV / "bin" / "python"),
            str(ROOT / "mutation" / "crtools.py"),
            "mutants",
            str(session),
        ],
        ROOT,
        "list mutants",
    )
    jobs = [cast("dict[str, Any]", json.loads(line)) for line in out.splitlines() if line.strip()]
    plan: dict[str, Any] = {}
    for job in jobs:
        definition = reach.enclosing(defs, int(job["start"][0]))
        job["enclosing"] = definition
        affected = None if whole_module else reach.affected_targets(defs, targets, definition)
        if job["sha256"]:
            plan[job["sha256"]] = {"targets": affected, "definition": definition}
    return plan, jobs


def run_one(version: str, out: Path, sample: Optional[int], seed: int) -> Path:
    """The whole run for one Python; returns the results file."""
    started = time.monotonic()
    python = find_python(version)
    print(f"mutation {version}: {python}", flush=True)
    workdir, source_sha = _prepare(python, version, out)
    venv = venv_with_sockspec(python, version, out)
    targets = _targets(venv, workdir)
    plan_path = workdir / "plan.json"
    plan: dict[str, Any] = {
        "python": str(python),
        "cpython_timeout": 600,
        "verdicts": str(workdir / "verdicts"),
        "sockspec": {
            "cli": str(venv / "bin" / "sockspec-conformance"),
            "python": str(venv / "bin" / "python"),
            "xfail_file": str(workdir / "stdlib_m.xfail"),
            "check_timeout": CHECK_TIMEOUT,
            "target_timeout": "600",
            "run_timeout": "1800",
            "jobs": os.environ.get("MUTATION_JOBS", "1"),
        },
        "jobs": {},
    }
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    base = _baseline(plan_path)
    cpython_s, sockspec_s = base["cpython"]["seconds"], base["sockspec"]["seconds"]
    print(
        f"  baseline: CPython suite {cpython_s:.1f} s,"
        f" sockspec {sockspec_s:.1f} s ({len(targets)} targets)",
        flush=True,
    )
    plan["cpython_timeout"] = max(CPYTHON_DEADLINE_FLOOR, DEADLINE_FACTOR * cpython_s)
    plan["sockspec"]["run_timeout"] = f"{max(120.0, DEADLINE_FACTOR * sockspec_s):.0f}"
    plan["sockspec"]["target_timeout"] = plan["sockspec"]["run_timeout"]
    session = workdir / "session.sqlite"
    backstop = plan["cpython_timeout"] + float(plan["sockspec"]["run_timeout"]) + 120.0
    config = _write_config(workdir, plan_path, backstop)
    sh(_cosmic_ray("init", str(config), str(session)), workdir, "cosmic-ray init")
    jobs_plan, jobs = _plan_jobs(workdir, session, targets)
    if sample is not None:
        print(
            "  "
            + sh(
                [
                    str(CR_VENV / "bin" / "python"),
                    str(ROOT / "mutation" / "crtools.py"),
                    "sample",
                    str(session),
                    str(sample),
                    str(seed),
                ],
                ROOT,
                "sample",
            ).strip(),
            flush=True,
        )
    plan["jobs"] = jobs_plan
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    workers = _worker_dirs(workdir, plan_path, int(os.environ.get("MUTATION_WORKERS", "2")))
    print(f"  {len(jobs)} mutants; judged {len(workers)} at once (nice 19)", flush=True)
    load_before = _load()
    judge = f"{sys.executable} {ROOT / 'mutation' / 'judge.py'} {{workdir}}/plan.json"
    subprocess.run(
        [
            "nice", "-n", "19", str(CR_VENV / "bin" / "python"),
            str(ROOT / "mutation" / "crtools.py"), "exec", str(session), f"{backstop:.0f}",
            judge, *(str(worker) for worker in workers),
        ],
        cwd=ROOT,
        check=True,
    )  # fmt: skip
    dump = sh(_cosmic_ray("dump", str(session)), workdir, "cosmic-ray dump")
    context = _Run(version, python, workdir, source_sha, sample, seed)
    record = _collect(context, jobs, dump)
    record["baseline_cpython_seconds"] = cpython_s
    record["baseline_sockspec_seconds"] = sockspec_s
    record["wall_seconds"] = round(time.monotonic() - started, 1)
    record["workers"] = len(workers)
    record["load_before"] = load_before
    record["load_after"] = _load()
    triage.RESULTS_DIR.mkdir(exist_ok=True)
    path = triage.RESULTS_DIR / f"python-{version}.json"
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def _worker_dirs(workdir: Path, plan_path: Path, count: int) -> list[Path]:
    """``count`` copies of the work directory's module, tests and plan, one per worker."""
    if count < 1:
        raise RunError("MUTATION_WORKERS must be at least 1")
    workers: list[Path] = []
    for number in range(count):
        worker = workdir / f"worker-{number}"
        worker.mkdir()
        for name in ("socketserver_m.py", "test_socketserver_m.py", plan_path.name):
            shutil.copy2(workdir / name, worker / name)
        workers.append(worker)
    return workers


def _load() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (the machine is shared)."""
    return [round(value, 2) for value in os.getloadavg()]


@dataclass(frozen=True)
class _Run:
    """What one Python's run is about."""

    version: str
    python: Path
    workdir: Path
    source_sha: str
    sample: Optional[int]
    seed: int


def _collect(run: _Run, jobs: list[dict[str, Any]], dump: str) -> triage.RunRecord:
    """Join cosmic-ray's dump, the job list and the judge's verdicts into one record."""
    workdir = run.workdir
    by_job = {job["job_id"]: job for job in jobs}
    equivalent = triage.equivalents_for(triage.load_triage(), run.version)
    judged: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
    for line in dump.splitlines():
        item, result = json.loads(line)
        if result is None or result.get("worker_outcome") != "normal":
            continue
        job = by_job[item["job_id"]]
        verdict_file = workdir / "verdicts" / f"{job['sha256']}.json"
        if verdict_file.exists():
            verdict = json.loads(verdict_file.read_text(encoding="utf-8"))
        else:
            # The judge broke before writing (its output is cosmic-ray's): no suite judged.
            output = (result.get("output") or "").strip().splitlines()[-1:] or [""]
            broken = {"verdict": "error", "reason": f"judge failed: {output[0]}", "seconds": 0.0}
            verdict = {"targets": None, "cpython": broken, "sockspec": dict(broken)}
        judged.append((job, result, verdict))
    judged.sort(key=lambda entry: (entry[0]["operator"], entry[0]["occurrence"]))
    bases: list[str] = []
    for job, result, _ in judged:
        removed, added = triage.changed_lines(result.get("diff") or "")
        bases.append(triage.base_identity(job["operator"], "socketserver.py", removed, added))
    mutants: list[triage.MutantRecord] = []
    for identity, (job, result, verdict) in zip(triage.number_duplicates(bases), judged):
        removed, added = triage.changed_lines(result.get("diff") or "")
        status = triage.status(identity, verdict["sockspec"]["verdict"], equivalent)
        mutants.append({
            "id": identity, "job_id": job["job_id"], "operator": job["operator"],
            "occurrence": job["occurrence"], "line": job["start"][0], "column": job["start"][1],
            "definition": job.get("enclosing"), "targets": verdict["targets"],
            "removed": removed, "added": added, "diff": result.get("diff") or "",
            "cpython": verdict["cpython"], "sockspec": verdict["sockspec"],
            "triage": status, "triage_reason": equivalent.get(identity, ""),
        })  # fmt: skip
    return {
        "format": triage.RESULTS_FORMAT, "python": _full_version(run.python) or run.version,
        "cosmic_ray": COSMIC_RAY_VERSION, "source": "socketserver.py",
        "source_sha256": run.source_sha,
        "all_mutants": len(jobs), "sample_size": run.sample,
        "sample_seed": run.seed if run.sample else None,
        "baseline_cpython_seconds": 0.0, "baseline_sockspec_seconds": 0.0, "wall_seconds": 0.0,
        "workers": 1, "load_before": [], "load_after": [],
        "mutants": mutants,
    }  # fmt: skip


def _full_version(python: Path) -> str:
    code = "import platform; print(platform.python_version())"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def main(argv: Optional[list[str]] = None) -> int:
    """Run every configured Python; one readable line and exit 1 on a failed step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "mutation")
    parser.add_argument(
        "--retriage",
        action="store_true",
        help="only rewrite the triage of the recorded results from mutation/equivalent.txt",
    )
    args = parser.parse_args(argv)
    if args.retriage:
        return retriage()
    versions = os.environ.get("MUTATION_PYTHONS", "3.9 3.13").split()
    raw_sample = os.environ.get("MUTATION_SAMPLE", "").strip()
    seed = int(os.environ.get("MUTATION_SEED", "15"))
    try:
        sample = int(raw_sample) if raw_sample else None
        if not (CR_VENV / "bin" / "cosmic-ray").exists():
            raise RunError(f"cosmic-ray is not installed in {CR_VENV} (run make mutation)")
        for version in versions:
            path = run_one(version, args.out, sample, seed)
            _summary(path)
    except (RunError, ValueError, subprocess.CalledProcessError) as error:
        print(f"make mutation: {error}", file=sys.stderr)
        return 1
    return 0


def retriage() -> int:
    """Mark the recorded mutants from the triage file again, without judging anything."""
    try:
        entries = triage.load_triage()
    except triage.TriageError as error:
        print(f"make mutation: {error}", file=sys.stderr)
        return 1
    for path in sorted(triage.RESULTS_DIR.glob("python-*.json")):
        run: triage.RunRecord = json.loads(path.read_text(encoding="utf-8"))
        equivalent = triage.equivalents_for(entries, run["python"])
        for mutant in run["mutants"]:
            mutant["triage"] = triage.status(
                mutant["id"], mutant["sockspec"]["verdict"], equivalent
            )
            mutant["triage_reason"] = equivalent.get(mutant["id"], "")
        path.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
        print(f"retriaged {path.relative_to(ROOT)}")
    return 0


def _summary(path: Path) -> None:
    run: triage.RunRecord = json.loads(path.read_text(encoding="utf-8"))
    mutants = run["mutants"]
    cpython = sum(1 for m in mutants if m["cpython"]["verdict"] == "killed")
    sockspec = sum(1 for m in mutants if m["sockspec"]["verdict"] == "killed")
    equivalent = sum(1 for m in mutants if m["triage"] == "equivalent")
    print(
        f"  {run['python']}: {len(mutants)} judged of {run['all_mutants']}; killed by CPython's"
        f" suite {cpython}, by sockspec {sockspec}; equivalent {equivalent};"
        f" wall {run['wall_seconds']:.0f} s -> {path.relative_to(ROOT)}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())

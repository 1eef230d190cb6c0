"""Judge recorded mutants again with the suite as it is now: ``python -m mutation.rejudge``.

A full run (``make mutation``) takes the better part of an hour; a check written for a
survivor afterwards should not need another one.  This re-judges only the mutants asked
for (by default every open survivor of the recorded results), with both suites, exactly
as the run judged them:

* the run's own work directory (``build/mutation/X.Y``: its cosmic-ray session, its plan
  with the deadlines measured from the baseline, its venv) is reused; sockspec is
  reinstalled into the venv from the working tree first, so the new checks are judged;
* each mutant's module is written by cosmic-ray's own ``mutate_code`` from the session
  (``crtools.py write``), and ``judge.py`` judges it in a directory of its own;
* the new verdicts replace the old ones in ``mutation/results/python-X.Y.json``, the
  triage is recomputed from ``mutation/equivalent.txt``, and the record lists every
  re-judged mutant with the time it took (``rejudged``), so the page can say so.

Usage: ``python -m mutation.rejudge [--out DIR] [--python X.Y ...] [ID ...]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional, cast

from mutation import run, triage


def _targets_of(mutant: triage.MutantRecord, wanted: set[str]) -> bool:
    if wanted:
        return mutant["id"] in wanted
    return mutant["triage"] == "open"


def rejudge_version(version: str, out: Path, wanted: set[str]) -> int:
    """Re-judge the chosen mutants of one Python's results; returns how many."""
    path = triage.RESULTS_DIR / f"python-{version}.json"
    if not path.exists():
        return 0
    record = cast("dict[str, Any]", json.loads(path.read_text(encoding="utf-8")))
    mutants = cast("list[triage.MutantRecord]", record["mutants"])
    chosen = [m for m in mutants if _targets_of(m, wanted)]
    if not chosen:
        return 0
    workdir = out / version
    session = workdir / "session.sqlite"
    if not session.exists():
        raise run.RunError(f"{workdir}: no session of the recorded run to re-judge from")
    python = run.find_python(version)
    run.venv_with_sockspec(python, version, out)  # reinstall sockspec: the checks as they are now
    scratch = workdir / "rejudge"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    for name in ("test_socketserver_m.py", "plan.json"):
        shutil.copy2(workdir / name, scratch / name)
    equivalent = triage.equivalents_for(triage.load_triage(), version)
    notes = cast("list[dict[str, Any]]", record.setdefault("rejudged", []))
    for mutant in chosen:
        started = time.monotonic()
        run.sh(
            [
                str(run.CR_VENV / "bin" / "python"),
                str(run.ROOT / "mutation" / "crtools.py"),
                "write", str(session), mutant["job_id"], str(scratch / "socketserver_m.py"),
            ],
            run.ROOT,
            f"write mutant {mutant['id']}",
        )  # fmt: skip
        done = subprocess.run(
            [sys.executable, str(run.ROOT / "mutation" / "judge.py"), str(scratch / "plan.json")],
            cwd=run.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode not in (0, 1) or not lines:
            raise run.RunError(f"judge failed on {mutant['id']}: {done.stderr.strip()[-200:]}")
        judgement = cast("dict[str, Any]", json.loads(lines[-1]))
        mutant["cpython"] = judgement["cpython"]
        mutant["sockspec"] = judgement["sockspec"]
        mutant["triage"] = triage.status(mutant["id"], mutant["sockspec"]["verdict"], equivalent)
        mutant["triage_reason"] = equivalent.get(mutant["id"], "")
        seconds = round(time.monotonic() - started, 1)
        notes.append({"id": mutant["id"], "seconds": seconds})
        print(
            f"  {version} {mutant['id']}: sockspec {mutant['sockspec']['verdict']},"
            f" CPython's suite {mutant['cpython']['verdict']} ({seconds:.0f} s)",
            flush=True,
        )
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return len(chosen)


def main(argv: Optional[list[str]] = None) -> int:
    """Re-judge the mutants named (default: every open survivor) of each recorded run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=run.ROOT / "build" / "mutation")
    parser.add_argument("--python", action="append", default=None, metavar="X.Y")
    parser.add_argument("ids", nargs="*", help="mutant ids (default: every open survivor)")
    args = parser.parse_args(argv)
    versions = args.python or [
        path.stem.removeprefix("python-") for path in sorted(triage.RESULTS_DIR.glob("*.json"))
    ]
    try:
        for version in versions:
            count = rejudge_version(version, args.out, set(args.ids))
            print(f"rejudge {version}: {count} mutants judged again", flush=True)
    except (run.RunError, subprocess.CalledProcessError) as error:
        print(f"rejudge: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

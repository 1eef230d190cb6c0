"""Helpers that need cosmic-ray's own API; run with the interpreter of the cosmic-ray venv.

``python crtools.py sample SESSION N SEED``
    Keep a fixed-seed random sample of N pending jobs of a cosmic-ray session and mark
    the others skipped, the way cosmic-ray's own filters (``cr-filter-*``) do.
``python crtools.py exec SESSION TIMEOUT COMMAND WORKDIR...``
    Judge every pending job of the session, as many at once as there are work
    directories: each holds its own copy of the module, and each job is cosmic-ray's own
    ``mutate_and_test`` on the copy of a free directory, with ``COMMAND`` (``{workdir}``
    replaced by that directory) as the test command.  Results go into the session as
    ``cosmic-ray exec`` would record them, so ``cosmic-ray dump`` reads them as usual.
``python crtools.py write SESSION JOB_ID PATH``
    Write the module as that job's mutation makes it to ``PATH`` (``mutation/rejudge.py``).
``python crtools.py mutants SESSION``
    Print one JSON object per job: its mutation spec and the SHA-256 of the module as
    cosmic-ray mutates it (``cosmic_ray.mutating.mutate_code``), which is how the
    judge's verdict for that job is found again.

Not imported by sockspec: this file runs only inside ``make mutation``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import queue
import random
import shlex
import sys
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

# cosmic-ray lives only in its own venv (make mutation), untyped: reached through Any.
_attrs: Any = importlib.import_module("attrs")  # cosmic-ray's records are attrs classes
_mutating: Any = importlib.import_module("cosmic_ray.mutating")
_plugins: Any = importlib.import_module("cosmic_ray.plugins")
_work_db: Any = importlib.import_module("cosmic_ray.work_db")
_work_item: Any = importlib.import_module("cosmic_ray.work_item")


def _sample(session: str, size: int, seed: int) -> None:
    """Mark every job skipped except a seeded sample of ``size`` (stable order: job spec)."""
    with _work_db.use_db(session, _work_db.WorkDB.Mode.open) as db:
        items = sorted(
            db.pending_work_items,
            key=lambda item: (
                item.mutations[0].operator_name,
                item.mutations[0].occurrence,
            ),
        )
        keep = {item.job_id for item in random.Random(seed).sample(items, min(size, len(items)))}
        for item in items:
            if item.job_id not in keep:
                db.set_result(
                    item.job_id,
                    _work_item.WorkResult(worker_outcome=_work_item.WorkerOutcome.SKIPPED),
                )
    print(f"sample: {len(keep)} of {len(items)} jobs kept (seed {seed})")


def _exec(session: str, timeout: float, command: str, workdirs: list[str]) -> None:
    """Judge the pending jobs with one worker thread per work directory (see the module doc).

    The local distributor of ``cosmic-ray exec`` judges one job at a time, on the module
    named in the session; this runs the same ``mutate_and_test`` on per-worker copies, so
    that two jobs never share a file.  Each copy is restored by ``mutate_and_test`` itself
    before its directory is handed to the next job.
    """
    free: queue.Queue[Path] = queue.Queue()
    for workdir in workdirs:
        free.put(Path(workdir).resolve())

    def judge_one(item: Any) -> Any:
        workdir = free.get()
        try:
            (spec,) = item.mutations
            original = Path(spec.module_path)
            local = _attrs.evolve(spec, module_path=workdir / original.name)
            test = command.replace("{workdir}", shlex.quote(str(workdir)))
            result = _mutating.mutate_and_test([local], test, timeout)
            if result.diff:
                # The diff names the worker's copy; the record names the module judged.
                diff = result.diff.replace(str(local.module_path), str(original))
                result = _attrs.evolve(result, diff=diff)
            return result
        finally:
            free.put(workdir)

    with _work_db.use_db(session, _work_db.WorkDB.Mode.open) as db:
        items = list(db.pending_work_items)
        with ThreadPoolExecutor(max_workers=len(workdirs)) as pool:
            futures: dict[Future[Any], Any] = {pool.submit(judge_one, i): i for i in items}
            for done, future in enumerate(as_completed(futures), start=1):
                item = futures[future]
                # Recorded from this thread only: the session is one sqlite connection.
                db.set_result(item.job_id, future.result())
                print(f"  {done}/{len(items)} judged", flush=True)


def _write(session: str, job_id: str, out: str) -> None:
    """The mutated module of one job, written to ``out``."""
    with _work_db.use_db(session, _work_db.WorkDB.Mode.open) as db:
        (item,) = [item for item in db.work_items if item.job_id == job_id]
    (spec,) = item.mutations
    code = Path(spec.module_path).read_text(encoding="utf-8")
    operator = _plugins.get_operator(spec.operator_name)(**(spec.operator_args or {}))
    mutated = _mutating.mutate_code(code, operator, spec.occurrence)
    if mutated is None:
        raise SystemExit(f"job {job_id}: no mutation at occurrence {spec.occurrence}")
    Path(out).write_text(mutated, encoding="utf-8")


def _mutants(session: str) -> None:
    """One JSON line per job: spec and hash of the mutated module."""
    sources: dict[Path, str] = {}
    with _work_db.use_db(session, _work_db.WorkDB.Mode.open) as db:
        for item in db.work_items:
            (spec,) = item.mutations
            path = Path(spec.module_path)
            code = sources.setdefault(path, path.read_text(encoding="utf-8"))
            operator = _plugins.get_operator(spec.operator_name)(**(spec.operator_args or {}))
            mutated = _mutating.mutate_code(code, operator, spec.occurrence)
            digest = hashlib.sha256(mutated.encode("utf-8")).hexdigest() if mutated else None
            record = {
                "job_id": item.job_id,
                "operator": spec.operator_name,
                "occurrence": spec.occurrence,
                "start": list(spec.start_pos),
                "end": list(spec.end_pos),
                "definition": spec.definition_name,
                "sha256": digest,
            }
            print(json.dumps(record))


def main(argv: list[str]) -> int:
    """Dispatch the two sub-commands."""
    if len(argv) == 4 and argv[0] == "sample":
        _sample(argv[1], int(argv[2]), int(argv[3]))
        return 0
    if len(argv) >= 5 and argv[0] == "exec":
        _exec(argv[1], float(argv[2]), argv[3], argv[4:])
        return 0
    if len(argv) == 4 and argv[0] == "write":
        _write(argv[1], argv[2], argv[3])
        return 0
    if len(argv) == 2 and argv[0] == "mutants":
        _mutants(argv[1])
        return 0
    print(
        "usage: crtools.py sample SESSION N SEED | mutants SESSION | write SESSION JOB PATH"
        " | exec SESSION TIMEOUT COMMAND WORKDIR...",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

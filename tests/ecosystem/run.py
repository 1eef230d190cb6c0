"""``make ecosystem``: run the conformance suite on pinned third-party servers.

Run from the repository root with the ecosystem venv's Python (``make ecosystem`` creates it
and installs ``requirements.txt`` and sockspec)::

    .venv-ecosystem/bin/python -m tests.ecosystem.run [--only DIST ...] [--out DIR]

For each package of :data:`tests.ecosystem.packages.PACKAGES`, one after the other (the
machine is shared), it runs ``sockspec-conformance`` on every target of the package and
keeps the suite's own ``--json`` report as ``<out>/<distribution>.json``; ``run.json``
records the versions, targets, exit codes and wall times.  It then matches every clause
that did not pass against ``triage.json`` and exits non-zero when one is untriaged (a
possible false positive) or when a package's run could not produce a report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Optional, TypedDict

from .packages import ADAPTER_MODULE, PACKAGES, Package
from .triage import Finding, TriageError, findings, load_triage, match

__all__ = ["EcosystemRun", "PackageRun", "main", "targets_of"]

FORMAT = "sockspec-ecosystem/1"
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results"
#: A whole package's run is stopped after this long (the suite bounds each target too).
PACKAGE_DEADLINE = 1500.0


class PackageRun(TypedDict):
    """One package's run: what was verified, how it ended and how long it took."""

    distribution: str
    version: str
    targets: list[str]
    report: str
    exit_code: int
    seconds: float
    stderr_tail: str


class EcosystemRun(TypedDict):
    """``run.json``: the whole ecosystem run."""

    format: str
    finished: str
    python: str
    platform: str
    sockspec_version: str
    jobs: int
    packages: list[PackageRun]


def targets_of(package: Package) -> list[str]:
    """The suite targets that verify ``package``: every exported class, adapted if needed."""
    from sockspec.conformance.targets import resolve_targets

    chosen: list[str] = []
    for module in package.modules:
        for target in resolve_targets(module):
            factory = package.adapters.get(target.spec)
            chosen.append(f"{ADAPTER_MODULE}:{factory}" if factory else target.spec)
    chosen.extend(package.extra)
    return list(dict.fromkeys(chosen))


def _run_package(package: Package, out: Path, jobs: int, target_timeout: float) -> PackageRun:
    targets = targets_of(package)
    report = out / f"{package.distribution}.json"
    report.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "sockspec.conformance",
        *targets,
        "--json",
        str(report),
        "--jobs",
        str(jobs),
        "--target-timeout",
        str(target_timeout),
        "-q",
    ]
    # The factory targets live next to this file; the per-target pytest processes inherit it.
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH", "")]))
    started = time.monotonic()
    try:
        finished = subprocess.run(
            command,
            env={**os.environ, "PYTHONPATH": path},
            capture_output=True,
            text=True,
            timeout=PACKAGE_DEADLINE,
            check=False,
        )
        exit_code, stderr = finished.returncode, finished.stderr
    except subprocess.TimeoutExpired as expired:
        exit_code = -1
        stderr = f"stopped after the {PACKAGE_DEADLINE:.0f} s package deadline: {expired.stderr!r}"
    seconds = round(time.monotonic() - started, 1)
    return PackageRun(
        distribution=package.distribution,
        version=metadata.version(package.distribution),
        targets=targets,
        report=report.name if report.is_file() else "",
        exit_code=exit_code,
        seconds=seconds,
        stderr_tail="\n".join(stderr.strip().splitlines()[-5:]),
    )


def _merged(previous: Path, runs: Sequence[PackageRun]) -> list[PackageRun]:
    """``runs``, plus the earlier runs of packages not run this time (``--only``), in order."""
    fresh = {run["distribution"]: run for run in runs}
    kept: dict[str, PackageRun] = {}
    if previous.is_file():
        earlier: EcosystemRun = json.loads(previous.read_text(encoding="utf-8"))
        kept = {run["distribution"]: run for run in earlier.get("packages", [])}
    order = [package.distribution for package in PACKAGES]
    merged = {**kept, **fresh}
    return [merged[name] for name in order if name in merged]


def _untriaged(out: Path, runs: Sequence[PackageRun]) -> list[Finding]:
    found: list[Finding] = []
    for run in runs:
        if run["report"]:
            document: object = json.loads((out / run["report"]).read_text(encoding="utf-8"))
            found += findings(run["distribution"], document)
    _, untriaged, _ = match(found, load_triage())
    return untriaged


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the selected packages, write the results and report untriaged failures."""
    parser = argparse.ArgumentParser(
        prog="make ecosystem", description="the suite on pinned third-party servers"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results folder")
    parser.add_argument("--only", action="append", default=[], metavar="DIST")
    parser.add_argument("--jobs", type=int, default=1, help="targets in parallel per package")
    parser.add_argument("--target-timeout", type=float, default=300.0, metavar="SECONDS")
    options = parser.parse_args(argv)
    known = {package.distribution for package in PACKAGES}
    unknown = sorted(set(options.only) - known)
    if unknown:
        print(f"make ecosystem: unknown package(s) {unknown}; known: {sorted(known)}")
        return 2
    selected = [p for p in PACKAGES if not options.only or p.distribution in options.only]
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    runs: list[PackageRun] = []
    for package in selected:
        run = _run_package(package, out, options.jobs, options.target_timeout)
        runs.append(run)
        verdict = "report written" if run["report"] else "NO REPORT: " + run["stderr_tail"]
        print(
            f"{package.distribution} {run['version']}: {len(run['targets'])} target(s), "
            f"exit {run['exit_code']}, {run['seconds']:.1f} s, {verdict}",
            flush=True,
        )
    document = EcosystemRun(
        format=FORMAT,
        finished=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        python=platform.python_version(),
        platform=platform.platform(terse=True),
        sockspec_version=metadata.version("sockspec"),
        jobs=options.jobs,
        packages=_merged(out / "run.json", runs),
    )
    (out / "run.json").write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    try:
        untriaged = _untriaged(out, runs)
    except TriageError as error:
        print(f"make ecosystem: {error}")
        return 2
    for finding in untriaged:
        print(
            f"UNTRIAGED {finding.target} {finding.clause} ({finding.outcome}): "
            + " ".join(finding.message.split())[:160]
        )
    total = sum(run["seconds"] for run in runs)
    print(
        f"make ecosystem: {len(runs)} package(s) in {total:.0f} s, "
        f"{len(untriaged)} untriaged finding(s); results in {out}"
    )
    return 1 if untriaged or not all(run["report"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

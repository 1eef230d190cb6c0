"""Which conformance checks verify which clause, read from the suite itself.

The suite marks each check with ``@pytest.mark.clause("<id>")``.  Rather than
guess from file names, this module asks pytest to collect the suite in a
child process (so the Sphinx process never imports test modules or keeps
pytest state) with a tiny plugin, :mod:`sockspec_docs.marker_dump`, that
writes every collected item's clause markers to a JSON file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .marker_dump import OUTPUT_VARIABLE

#: pytest's exit status when it collected nothing.
_NO_TESTS_COLLECTED = 5
_COLLECT_TIMEOUT = 300.0


@dataclass
class ClauseChecks:
    """The checks found for each clause ID, and what went wrong finding them."""

    by_clause: dict[str, list[str]] = field(default_factory=dict[str, "list[str]"])
    #: Set when the suite has no checks package yet (not an error).
    missing_package: bool = False
    #: Set when collecting failed; the build reports it as a warning.
    error: str = ""

    def for_clause(self, clause_id: str) -> list[str]:
        """The checks (``module::test``) marked with ``clause_id``, sorted."""
        return sorted(self.by_clause.get(clause_id, []))


def _package_exists(package: str) -> bool:
    try:
        return importlib.util.find_spec(package) is not None
    except ImportError:
        return False


def collect_clause_checks(package: str) -> ClauseChecks:
    """Collect ``package`` with pytest in a subprocess and map clause IDs to checks."""
    if not _package_exists(package):
        return ClauseChecks(missing_package=True)
    with tempfile.TemporaryDirectory(prefix="sockspec-docs-") as scratch:
        output = Path(scratch) / "markers.json"
        env = dict(os.environ)
        env[OUTPUT_VARIABLE] = str(output)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "sockspec_docs.marker_dump",
            "-p",
            "no:cacheprovider",
            # Run from an empty directory so no project configuration applies.
            "--rootdir",
            scratch,
            "-o",
            "addopts=",
            # Name the check modules by their real dotted path (``sockspec`` is a namespace).
            "--import-mode=importlib",
            "-o",
            "consider_namespace_packages=true",
            "--pyargs",
            package,
        ]
        try:
            finished = subprocess.run(
                command,
                cwd=scratch,
                env=env,
                capture_output=True,
                text=True,
                timeout=_COLLECT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return ClauseChecks(error=f"collecting {package} timed out")
        if finished.returncode not in (0, _NO_TESTS_COLLECTED):
            tail = " | ".join(finished.stdout.strip().splitlines()[-3:])
            return ClauseChecks(
                error=f"collecting {package} failed (exit {finished.returncode}): {tail}"
            )
        if not output.exists():
            return ClauseChecks()
        return ClauseChecks(by_clause=_read(output))


def _read(output: Path) -> dict[str, list[str]]:
    raw: object = json.loads(output.read_text(encoding="utf-8"))
    by_clause: dict[str, list[str]] = {}
    if isinstance(raw, dict):
        for clause_id, checks in raw.items():  # pyright: ignore[reportUnknownVariableType]
            if isinstance(clause_id, str) and isinstance(checks, list):
                by_clause[clause_id] = [str(check) for check in checks]  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
    return by_clause


class _Background:
    """One collection per build, started early so it overlaps with reading other pages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._results: dict[str, ClauseChecks] = {}

    def start(self, package: str) -> None:
        with self._lock:
            if package in self._threads:
                return
            worker = threading.Thread(
                target=self._collect, args=(package,), name="sockspec-docs-collect", daemon=True
            )
            self._threads[package] = worker
        worker.start()

    def _collect(self, package: str) -> None:
        self._results[package] = collect_clause_checks(package)

    def result(self, package: str) -> ClauseChecks:
        self.start(package)
        self._threads[package].join(_COLLECT_TIMEOUT + 10)
        return self._results.get(package) or ClauseChecks(error=f"collecting {package} hung")


_BACKGROUND = _Background()


def start_collecting(package: str) -> None:
    """Begin collecting ``package``'s clause checks in a background thread."""
    _BACKGROUND.start(package)


def clause_checks(package: str) -> ClauseChecks:
    """The clause checks of ``package``, from the background collection (started if needed)."""
    return _BACKGROUND.result(package)

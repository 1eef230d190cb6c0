"""Fixtures for the engine's own tests: run the CLI or pytest in a subprocess, sample targets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import pytest

from .helpers import Run, RunCli, SharedRun, run_cli_in, run_command, write_targets


@pytest.fixture
def targets_dir(tmp_path: Path) -> Path:
    """A private directory holding the sample target modules (the subprocesses' cwd)."""
    return write_targets(tmp_path / "targets")


@pytest.fixture
def run_cli(targets_dir: Path) -> RunCli:
    """Run ``python -m sockspec.conformance ARGS`` in the sample targets' directory."""

    def run(*args: str, cwd: Optional[Path] = None, timeout: float = 240.0) -> Run:
        return run_cli_in(cwd or targets_dir, *args, timeout=timeout)

    return run


@pytest.fixture
def run_pytest(tmp_path: Path) -> RunCli:
    """Run ``python -m pytest ARGS`` in a private project directory (``tmp_path/project``)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")

    def run(*args: str, timeout: float = 240.0) -> Run:
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
        return run_command(command, project, timeout)

    return run


@pytest.fixture(scope="session")
def stdlib_run(tmp_path_factory: pytest.TempPathFactory) -> SharedRun:
    """The report of TCPServer and UDPServer, shared by the report-format tests."""
    directory = write_targets(tmp_path_factory.mktemp("stdlib-run"))
    report, junit = directory / "report.json", directory / "report.xml"
    run = run_cli_in(
        directory,
        "socketserver:TCPServer",
        "socketserver:UDPServer",
        "--json",
        str(report),
        "--junit-xml",
        str(junit),
    )
    return SharedRun(run, run.json(report), junit)

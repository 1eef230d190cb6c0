"""A separate project installs sockspec and runs the suite against its own server."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from .helpers import run_command

ROOT = Path(__file__).resolve().parents[2]
# Only what the distribution is built from: no virtual environments, build output or caches.
IGNORED = shutil.ignore_patterns(
    ".venv*", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "matrix", "_build"
)

SERVER = '''\
"""The third party's own server: a TCP echo server."""

import socketserver


class EchoHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.readline())


class EchoServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
'''

CONFORMANCE_MODULE = """\
from sockspec.conformance.suite import *  # noqa: F403 - every conformance check
from sockspec.conformance.suite import sockspec_target

target = sockspec_target("echo:EchoServer")
"""

PYTEST_INI = """\
[pytest]
testpaths = tests
pythonpath = .
"""


@pytest.mark.skipif(
    bool(os.environ.get("SOCKSPEC_MATRIX")),
    reason="make matrix already pip-installs sockspec into a fresh venv for every Python",
)
def test_separate_project_runs_the_suite_on_its_server(tmp_path: Path) -> None:
    """pip install sockspec; a module of the project with its own target fixture runs the checks."""
    source = tmp_path / "sockspec-src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    venv = tmp_path / "venv"
    created = run_command([sys.executable, "-m", "venv", str(venv)], tmp_path, 300)
    assert created.code == 0, created.err
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = run_command([*pip, str(source)], tmp_path, 600)
    assert installed.code == 0, installed.err[-3000:]

    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    (project / "echo.py").write_text(SERVER, encoding="utf-8")
    (project / "tests" / "test_socketserver_conformance.py").write_text(CONFORMANCE_MODULE)
    (project / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")

    run = run_command([python, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider"], project, 600)
    assert run.code == 0, run.out[-3000:]
    assert " passed" in run.out
    listed = run_command(
        [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], project, 600
    )
    assert "tests/test_socketserver_conformance.py::" in listed.out
    assert "[echo:EchoServer]" in listed.out

    cli = run_command(
        [str(venv / "bin" / "sockspec-conformance"), "echo:EchoServer", "-q"], project, 600
    )
    assert cli.code == 0, cli.out[-3000:]
    assert "PASSED: 1 target(s)" in cli.out

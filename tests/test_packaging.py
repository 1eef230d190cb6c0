"""The distribution: one install gives the three typed packages and the CLI."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARTS = {"spec": "sockspec.spec", "impl": "sockspec.impl", "conformance": "sockspec.conformance"}


@pytest.mark.parametrize("package", sorted(PARTS.values()))
def test_each_part_installs_with_py_typed(package: str) -> None:
    """Each part imports under the sockspec namespace and ships a py.typed marker."""
    importlib.import_module(package)
    assert resources.files(package).joinpath("py.typed").is_file()


@pytest.mark.parametrize(("directory", "package"), sorted(PARTS.items()))
def test_every_source_package_is_installed(directory: str, package: str) -> None:
    """Every package directory in the repository is importable from the installed namespace."""
    for init in sorted((ROOT / directory).rglob("__init__.py")):
        relative = init.parent.relative_to(ROOT / directory).parts
        importlib.import_module(".".join((package, *relative)))


def test_console_script_is_installed() -> None:
    """`pip install` puts the sockspec-conformance command next to the interpreter."""
    script = Path(sys.executable).parent / "sockspec-conformance"
    assert script.exists(), f"{script} is missing"


MISUSE = """\
from sockspec.spec import load_catalogue

catalogue = load_catalogue()
first_text: int = catalogue.clauses[0].text
"""
MISUSE_LINE = 4


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable}; run `make test`")
    return str(path)


@pytest.mark.static
def test_mypy_sees_the_installed_package(tmp_path: Path) -> None:
    """mypy, configured as the project configures it, resolves sockspec and flags a misuse."""
    source = tmp_path / "misuse.py"
    source.write_text(MISUSE, encoding="utf-8")
    run = subprocess.run(
        [
            _tool("mypy"),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--no-incremental",
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert "import-not-found" not in run.stdout, run.stdout
    assert "import-untyped" not in run.stdout, run.stdout
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, run.stdout
    assert f"misuse.py:{MISUSE_LINE}:" in errors[0]
    # Only a checker that resolved the installed package knows that `text` is a str.
    assert 'expression has type "str"' in errors[0], errors[0]


@pytest.mark.static
def test_pyright_sees_the_installed_package(tmp_path: Path) -> None:
    """pyright, configured as the project configures it, resolves sockspec and flags a misuse."""
    source = tmp_path / "misuse.py"
    source.write_text(MISUSE, encoding="utf-8")
    run = subprocess.run(
        [_tool("pyright"), "--outputjson", "-p", str(ROOT / "pyproject.toml"), str(source)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    report = json.loads(run.stdout)
    diagnostics = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert [d.get("rule") for d in diagnostics] == ["reportAssignmentType"], diagnostics
    assert diagnostics[0]["range"]["start"]["line"] + 1 == MISUSE_LINE

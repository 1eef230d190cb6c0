"""The documentation site: it builds offline with warnings as errors, and its pages hold up."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import pytest
from sockspec.conformance.records import REPORT_FORMAT
from sockspec.spec import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHECK_LINKS = DOCS / "check_links.py"
CHECKS_PACKAGE = ROOT / "conformance" / "checks"
BUILD_TIMEOUT = 300.0
PYTHONS = ("3.9", "3.12")
SAMPLE_NOTE = "forking was not measured:\nno os.fork here"
SAMPLE_FAILURE = "expected 1 call of handle_error(), observed 2\nassert 2 == 1"
#: The build `make docs` runs: fresh, warnings as errors, all reported, nitpicky.
SPHINX_HTML = ("-m", "sphinx", "-b", "html", "-E", "-W", "--keep-going", "-n", "-q")

needs_sphinx = pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None
    or importlib.util.find_spec("python_docs_theme") is None,
    reason="the docs extra (sphinx, python-docs-theme) is not installed in this environment; "
    "`make test` installs it, the per-version matrix venvs do not",
)


class _ClauseEntries(HTMLParser):
    """Collects the anchor IDs and visible text of the catalogue's clause entries."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()
        self.texts: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag != "dt":
            return
        anchor = dict(attrs).get("id") or ""
        if anchor.startswith("clause-"):
            self.anchors.add(anchor)
            self._depth = 1
            self.texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "dt":
            self._depth = 0

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.texts[-1] += data


def _check_links(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHECK_LINKS), str(site)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document), encoding="utf-8")


def _sample_matrix(folder: Path, clause_ids: list[str]) -> None:
    """What `make matrix` writes, for two Pythons: one clause passes on 3.12 only."""
    folder.mkdir()
    steps = {"install": {"ok": True, "seconds": 4.0, "detail": ""}}
    _write_json(
        folder / "matrix.json",
        [{"version": v, "executable": "python", "steps": steps, "ok": True} for v in PYTHONS],
    )
    for python in PYTHONS:
        rows: list[dict[str, object]] = [
            {
                "id": clause_id,
                "outcome": "failed" if (index == 0 and python == "3.9") else "passed",
                "message": SAMPLE_FAILURE if (index == 0 and python == "3.9") else "",
                "checks": [],
            }
            for index, clause_id in enumerate(clause_ids)
        ]
        target = {"target": "socketserver:TCPServer", "clauses": rows}
        report = {"format": REPORT_FORMAT, "python": f"{python}.1", "targets": [target]}
        _write_json(folder / f"conformance-{python}.json", report)


def _sample_bench(folder: Path) -> None:
    """What `make bench` writes: one row of results and one plot."""
    (folder / "plots").mkdir(parents=True)
    row = {
        "section": "shutdown",
        "case": "serve_forever-default-poll",
        "target": "impl",
        "metric": "shutdown()",
        "unit": "ms",
        "higher_is_better": False,
        "median": 0.25,
        "min": 0.2,
        "max": 0.4,
        "ratios": {"stdlib": 0.001},
    }
    document = {"format": "sockspec-bench/1", "rows": [row], "notes": [SAMPLE_NOTE]}
    _write_json(folder / "results.json", document)
    (folder / "plots" / "shutdown_latency.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The HTML site, built once per test run (shared by the xdist workers under a lock)."""
    shared = tmp_path_factory.getbasetemp()
    # An xdist worker's base temp is one directory per worker under the run's own.
    if getattr(request.config, "workerinput", None) is not None:
        shared = shared.parent
    with (shared / "docs-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "docs-site" / "built"
        if not done.exists():
            _build_site(shared / "docs-site")
            done.touch()
    return shared / "docs-site" / "html"


def _build_site(scratch: Path) -> None:
    """Build as `make docs` does, with sample matrix and bench data, into ``scratch/html``."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    clause_ids = [clause.id for clause in load_catalogue().clauses][:3]
    _sample_matrix(scratch / "matrix", clause_ids)
    _sample_bench(scratch / "bench")
    out = scratch / "html"
    data = [
        f"-Dsockspec_matrix_dir={scratch / 'matrix'}",
        f"-Dsockspec_bench_dir={scratch / 'bench'}",
    ]
    build = subprocess.run(
        [sys.executable, *SPHINX_HTML, *data, str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert build.returncode == 0, f"sphinx failed:\n{build.stderr}"


@needs_sphinx
def test_catalogue_page_lists_every_clause(site: Path) -> None:
    """The generated catalogue page has an entry, with its anchor, for every clause ID."""
    entries = _ClauseEntries()
    entries.feed((site / "catalogue.html").read_text(encoding="utf-8"))
    shown = " ".join(entries.texts)
    catalogue = load_catalogue()
    missing = [
        clause.id
        for clause in catalogue.clauses
        if f"clause-{clause.id}" not in entries.anchors or clause.id not in shown
    ]
    assert not missing, f"clauses missing from catalogue.html: {missing}"
    assert len(entries.anchors) == len(catalogue.clauses)


@needs_sphinx
def test_catalogue_page_names_the_checks_of_each_clause(site: Path) -> None:
    """Clause entries list the marked conformance checks found by collecting the suite."""
    page = (site / "catalogue.html").read_text(encoding="utf-8")
    checks = CHECKS_PACKAGE.glob("test_*.py")
    if not any(checks):
        pytest.skip("the conformance suite has no check modules yet")
    assert "sockspec.conformance.checks.test_" in page


@needs_sphinx
def test_built_site_has_no_broken_internal_links(site: Path) -> None:
    """Every relative link and anchor of the built site resolves (checked offline)."""
    result = _check_links(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 broken)" in result.stdout


@needs_sphinx
def test_matrix_page_colours_outcomes_and_explains_deviations(site: Path) -> None:
    """The matrix page shows coloured verdicts and lists the clause that differs by version."""
    page = (site / "matrix.html").read_text(encoding="utf-8")
    first = load_catalogue().clauses[0].id
    assert 'class="verdict verdict-fail"' in page
    assert 'class="verdict verdict-pass"' in page
    findings = page.split('id="findings"', 1)[1]
    assert first in findings.split("Deviations from the Python 3 documentation", 1)[0]
    # A multi-line failure message is shown on one line, so the list around it holds.
    shown = " ".join(SAMPLE_FAILURE.split()).replace("()", "")
    assert shown in findings.replace("()", "")


@needs_sphinx
def test_benchmark_figures_and_plots_are_shown(site: Path) -> None:
    """The benchmarks page has the sample row's median and ratio, and embeds its plot."""
    page = (site / "benchmarks.html").read_text(encoding="utf-8")
    assert "0.25 ms (0.2-0.4)" in page
    assert "0.001x stdlib" in page
    assert " ".join(SAMPLE_NOTE.split()) in page
    assert (site / "_images" / "shutdown_latency.svg").is_file()


def test_link_checker_catches_missing_files_and_anchors(tmp_path: Path) -> None:
    """The checker reports a missing page, a missing anchor and a link leaving the site."""
    (tmp_path / "other.html").write_text('<h1 id="here">Other</h1>', encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="other.html#here">fine</a>'
        '<a href="#top" id="top">self</a>'
        '<a href="https://example.invalid/">external, not followed</a>'
        '<a href="missing.html">gone</a>'
        '<a href="other.html#nowhere">no anchor</a>'
        '<img src="../outside.png">',
        encoding="utf-8",
    )
    result = _check_links(tmp_path)
    assert result.returncode == 1
    broken = [line for line in result.stdout.splitlines() if line.startswith("broken link:")]
    assert len(broken) == 3, result.stdout
    assert "'missing.html': no such file" in result.stdout
    assert "no anchor #nowhere in other.html" in result.stdout
    assert "'../outside.png': points outside the site" in result.stdout
    assert "1 external links not followed" in result.stdout


def test_link_checker_passes_a_whole_site(tmp_path: Path) -> None:
    """A site whose links all resolve, including directory links, passes with exit 0."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "index.html").write_text('<a href="../index.html#a">up</a>', "utf-8")
    (tmp_path / "index.html").write_text('<p id="a"><a href="sub/">down</a></p>', "utf-8")
    result = _check_links(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "2 pages, 2 internal links (0 broken)" in result.stdout


def test_link_checker_rejects_a_missing_directory(tmp_path: Path) -> None:
    """Bad input gives one clear line and exit 2, without a traceback."""
    result = _check_links(tmp_path / "absent")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "is not a directory" in result.stderr
    assert "Traceback" not in result.stderr


EXAMPLES = DOCS / "examples"


def _checker(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"{name} is not installed next to this interpreter (the dev extra has it)")
    return str(path)


def _run_checker(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_checker(name), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )


def _expected_error_line(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if "# expected error" in line)


@pytest.mark.static
def test_typecheck_guide_examples_under_mypy() -> None:
    """mypy --strict accepts the guide's example and rejects the misuse on its marked line."""
    good = _run_checker("mypy", "--strict", str(EXAMPLES / "typed_server.py"))
    assert good.returncode == 0, good.stdout
    misuse = EXAMPLES / "misuse.py"
    bad = _run_checker("mypy", "--strict", str(misuse))
    errors = [line for line in bad.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, bad.stdout
    assert f"misuse.py:{_expected_error_line(misuse)}: error:" in errors[0]
    assert "[arg-type]" in errors[0]


@pytest.mark.static
def test_typecheck_guide_examples_under_pyright() -> None:
    """pyright (strict) accepts the guide's example and rejects the misuse on its marked line."""
    good = _run_checker("pyright", str(EXAMPLES / "typed_server.py"))
    assert good.returncode == 0, good.stdout
    misuse = EXAMPLES / "misuse.py"
    bad = _run_checker("pyright", str(misuse))
    errors = [line for line in bad.stdout.splitlines() if " - error: " in line]
    assert len(errors) == 1, bad.stdout
    assert f"misuse.py:{_expected_error_line(misuse)}:" in errors[0]
    assert 'is incompatible with protocol "BaseServer[Any, Any]"' in bad.stdout


@needs_sphinx
def test_ecosystem_page_renders_every_package_with_triage(site: Path) -> None:
    """The ecosystem page has the package x section table, and no failure lacks its triage."""
    page = (site / "ecosystem.html").read_text(encoding="utf-8")
    run = json.loads((ROOT / "tests" / "ecosystem" / "results" / "run.json").read_text("utf-8"))
    assert "Pass rate by package and section" in page
    for package in run["packages"]:
        assert f"{package['distribution']} {package['version']}" in page
    assert "no line of triage.json explains" not in page

"""The documentation site: it builds offline with warnings as errors, and its pages hold up."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import pytest
from sockspec.spec import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
CHECK_LINKS = DOCS / "check_links.py"
BUILD_TIMEOUT = 300.0
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


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HTML site, built the way `make docs` builds it, into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, *SPHINX_HTML, str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert build.returncode == 0, f"sphinx failed:\n{build.stderr}"
    return out


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
def test_built_site_has_no_broken_internal_links(site: Path) -> None:
    """Every relative link and anchor of the built site resolves (checked offline)."""
    result = _check_links(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(0 broken)" in result.stdout


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

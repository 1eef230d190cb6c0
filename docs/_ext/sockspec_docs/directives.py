"""The directives: each turns project data into reStructuredText and parses it in place."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, ClassVar, Optional

from docutils import nodes
from docutils.parsers.rst import directives
from sockspec.spec import catalogue as catalogue_module
from sockspec.spec.catalogue import load_catalogue
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .api_page import api_rst
from .bench_page import bench_rst
from .catalogue_page import catalogue_rst
from .classic_page import classic_rst
from .clause_checks import clause_checks
from .departures_page import departures_rst, read_departures
from .ecosystem_page import ecosystem_rst
from .matrix_page import matrix_rst

logger = logging.getLogger(__name__)


class _GeneratedDirective(SphinxDirective):
    """Shared plumbing: record the data files read, then parse the generated text."""

    has_content = False

    def _emit(self, text: str, dependencies: list[Path]) -> list[nodes.Node]:
        for path in dependencies:
            # Rebuild the page when its data changes (only files that exist can be noted).
            if path.is_file():
                self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(text, allow_section_headings=True)


class CatalogueDirective(_GeneratedDirective):
    """``.. sockspec-catalogue::``: every clause, grouped by section."""

    def run(self) -> list[nodes.Node]:
        catalogue = load_catalogue()
        checks = clause_checks(self.config.sockspec_checks_package)
        if checks.error:
            logger.warning("clause checks: %s", checks.error, location=self.get_location())
        source = Path(catalogue_module.__file__ or "").with_name("clauses.json")
        return self._emit(catalogue_rst(catalogue, checks), [source])


class ClassicRecordDirective(_GeneratedDirective):
    """``.. sockspec-classic-record::``: how each classic clause's 2.x claim was established."""

    def run(self) -> list[nodes.Node]:
        source = Path(catalogue_module.__file__ or "").with_name("clauses.json")
        return self._emit(classic_rst(load_catalogue()), [source])


class DeparturesDirective(_GeneratedDirective):
    """``.. sockspec-departures::``: the stdlib's departures, one reproducer each."""

    def run(self) -> list[nodes.Node]:
        srcdir = Path(self.env.srcdir)
        folder = srcdir / "examples" / "departures"
        xfail_file = srcdir.parent / "conformance" / "xfails" / "stdlib.xfail"
        departures = read_departures(folder)
        text = departures_rst(departures, load_catalogue(), xfail_file, srcdir)
        return self._emit(text, [xfail_file, *(departure.path for departure in departures)])


class MatrixDirective(_GeneratedDirective):
    """``.. sockspec-matrix::``: what ``make matrix`` found, or a note that it has not run."""

    def run(self) -> list[nodes.Node]:
        text, read = matrix_rst(Path(self.config.sockspec_matrix_dir), load_catalogue())
        return self._emit(text, read)


class EcosystemDirective(_GeneratedDirective):
    """``.. sockspec-ecosystem::``: the suite on third-party servers, with the triage."""

    def run(self) -> list[nodes.Node]:
        text, read = ecosystem_rst(
            Path(self.config.sockspec_ecosystem_dir),
            Path(self.config.sockspec_ecosystem_triage),
            load_catalogue(),
        )
        return self._emit(text, read)


class BenchDirective(_GeneratedDirective):
    """``.. sockspec-bench::``: the benchmark figures and plots, or a note that none exist.

    ``:sections: shutdown, concurrency`` limits it to those sections (tables without
    headings, for use inside another page); ``:no-plots:`` leaves the figures out.
    """

    option_spec: ClassVar[Optional[dict[str, Callable[[str], Any]]]] = {
        "sections": directives.unchanged,
        "no-plots": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        raw = str(self.options.get("sections", ""))
        only = [name.strip() for name in raw.split(",") if name.strip()]
        text, read = bench_rst(
            Path(self.config.sockspec_bench_dir),
            Path(self.env.srcdir),
            only=only,
            with_plots="no-plots" not in self.options,
        )
        return self._emit(text, read)


class ApiDirective(_GeneratedDirective):
    """``.. sockspec-api::``: an ``automodule`` for every public module of the three packages."""

    def run(self) -> list[nodes.Node]:
        return self._emit(api_rst(), [])


class CliHelpDirective(_GeneratedDirective):
    """``.. sockspec-cli-help::``: the live ``sockspec-conformance --help`` text."""

    def run(self) -> list[nodes.Node]:
        # argparse wraps to $COLUMNS: fix it so the page does not depend on the terminal.
        env = dict(os.environ, COLUMNS="80")
        finished = subprocess.run(
            [sys.executable, "-m", "sockspec.conformance", "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        if finished.returncode != 0:
            logger.warning(
                "sockspec-conformance --help failed: %s",
                finished.stderr.strip(),
                location=self.get_location(),
            )
        text = finished.stdout.replace("usage: __main__.py", "usage: sockspec-conformance")
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]

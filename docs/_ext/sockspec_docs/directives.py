"""The directives: each turns project data into reStructuredText and parses it in place."""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sockspec.spec import catalogue as catalogue_module
from sockspec.spec.catalogue import load_catalogue
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .api_page import api_rst
from .bench_page import bench_rst
from .catalogue_page import catalogue_rst
from .clause_checks import collect_clause_checks
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
        checks = collect_clause_checks(self.config.sockspec_checks_package)
        if checks.error:
            logger.warning("clause checks: %s", checks.error, location=self.get_location())
        source = Path(catalogue_module.__file__ or "").with_name("clauses.json")
        return self._emit(catalogue_rst(catalogue, checks), [source])


class MatrixDirective(_GeneratedDirective):
    """``.. sockspec-matrix::``: what ``make matrix`` found, or a note that it has not run."""

    def run(self) -> list[nodes.Node]:
        text, read = matrix_rst(Path(self.config.sockspec_matrix_dir), load_catalogue())
        return self._emit(text, read)


class BenchDirective(_GeneratedDirective):
    """``.. sockspec-bench::``: the benchmark figures and plots, or a note that none exist."""

    def run(self) -> list[nodes.Node]:
        text, read = bench_rst(Path(self.config.sockspec_bench_dir), Path(self.env.srcdir))
        return self._emit(text, read)


class ApiDirective(_GeneratedDirective):
    """``.. sockspec-api::``: an ``automodule`` for every public module of the three packages."""

    def run(self) -> list[nodes.Node]:
        return self._emit(api_rst(), [])

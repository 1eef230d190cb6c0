"""Sphinx extension that generates sockspec's data-driven pages at build time.

It adds a ``clause`` object type (the ``.. clause::`` directive, the
``:clause:`` role and index entries) and directives that turn the
project's own data into reStructuredText while the site is built:

``.. sockspec-catalogue::``
    every clause of :func:`sockspec.spec.load_catalogue`, with the conformance
    checks that verify it (read from the suite's ``clause`` markers);
``.. sockspec-matrix::``
    the version x result table and the clause x implementation grid written by
    ``make matrix``;
``.. sockspec-bench::``
    the figures and plots written by ``make bench``;
``.. sockspec-departures::``
    where the stdlib departs from its documentation, one reproducer each;
``.. sockspec-classic-record::``
    how each claim of the classic (2.x) edition was established;
``.. sockspec-typing::``
    the case x type checker table written by ``make typing``;
``.. sockspec-ecosystem::``
    the suite's verdicts on third-party servers written by ``make ecosystem``, with
    the triage of each clause that does not pass;
``.. sockspec-mutation::``
    the mutation score written by ``make mutation``.

Nothing here imports :mod:`sockspec.impl`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from .clause_checks import start_collecting
from .directives import (
    ApiDirective,
    BenchDirective,
    CatalogueDirective,
    ClassicRecordDirective,
    CliHelpDirective,
    DeparturesDirective,
    EcosystemDirective,
    MatrixDirective,
)
from .mutation_page import MutationDirective
from .roles import VerdictRole
from .typing_page import TypingDirective

#: The repository root: docs/_ext/sockspec_docs/ is three levels below it.
REPOSITORY = Path(__file__).resolve().parents[3]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the clause object type, the directives and their settings."""
    app.add_object_type(
        "clause", "clause", indextemplate="pair: %s; clause", objname="catalogue clause"
    )
    app.add_config_value("sockspec_matrix_dir", str(REPOSITORY / "matrix"), "env", [str])
    app.add_config_value("sockspec_bench_dir", str(REPOSITORY / "bench"), "env", [str])
    app.add_config_value(
        "sockspec_typing_results",
        str(REPOSITORY / "tests" / "typing" / "results.json"),
        "env",
        [str],
    )
    ecosystem = REPOSITORY / "tests" / "ecosystem"
    app.add_config_value("sockspec_ecosystem_dir", str(ecosystem / "results"), "env", [str])
    app.add_config_value("sockspec_ecosystem_triage", str(ecosystem / "triage.json"), "env", [str])
    app.add_config_value("sockspec_checks_package", "sockspec.conformance.checks", "env", [str])
    app.add_config_value(
        "sockspec_mutation_dir", str(REPOSITORY / "mutation" / "results"), "env", [str]
    )
    app.add_directive("sockspec-catalogue", CatalogueDirective)
    app.add_directive("sockspec-matrix", MatrixDirective)
    app.add_directive("sockspec-departures", DeparturesDirective)
    app.add_directive("sockspec-classic-record", ClassicRecordDirective)
    app.add_directive("sockspec-bench", BenchDirective)
    app.add_directive("sockspec-ecosystem", EcosystemDirective)
    app.add_directive("sockspec-api", ApiDirective)
    app.add_directive("sockspec-typing", TypingDirective)
    app.add_directive("sockspec-cli-help", CliHelpDirective)
    app.add_directive("sockspec-mutation", MutationDirective)
    app.add_role("verdict", VerdictRole())
    app.add_css_file("sockspec.css")
    # Collecting the suite takes seconds in a subprocess: start it before pages are read.
    app.connect(
        "builder-inited",
        lambda app: start_collecting(app.config.sockspec_checks_package),
    )
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

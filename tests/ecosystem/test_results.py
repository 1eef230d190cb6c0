"""The committed ecosystem results: every clause that does not pass is triaged.

``make ecosystem`` writes ``tests/ecosystem/results/`` (committed, like ``bench/results.json``)
and ``triage.json`` explains each failure there in one line.  Reading those files needs none
of the third-party packages, so this runs in ``make test``: a failure with no triage line is a
possible false positive of the suite, and a triage line that explains nothing is stale.
"""

from __future__ import annotations

import json

from tests.ecosystem.packages import PACKAGES
from tests.ecosystem.run import DEFAULT_OUT, FORMAT
from tests.ecosystem.triage import Finding, findings, load_triage, match


def _committed_findings() -> list[Finding]:
    run = json.loads((DEFAULT_OUT / "run.json").read_text(encoding="utf-8"))
    found: list[Finding] = []
    for package in run["packages"]:
        report = json.loads((DEFAULT_OUT / package["report"]).read_text(encoding="utf-8"))
        found += findings(package["distribution"], report)
    return found


def test_committed_results_have_no_untriaged_failure() -> None:
    """Every clause that does not pass in the committed results has a triage line."""
    _, untriaged, _ = match(_committed_findings(), load_triage())
    assert [(f.target, f.clause, f.outcome) for f in untriaged] == []


def test_every_triage_entry_explains_a_committed_failure() -> None:
    """No triage line is stale: each covers a clause that still does not pass."""
    _, _, unused = match(_committed_findings(), load_triage())
    assert [(entry.target, entry.clause) for entry in unused] == []


def test_committed_run_covers_every_package() -> None:
    """``run.json`` has the current format and a report for every listed package."""
    run = json.loads((DEFAULT_OUT / "run.json").read_text(encoding="utf-8"))
    assert run["format"] == FORMAT
    reported = {package["distribution"]: package["report"] for package in run["packages"]}
    missing = [p.distribution for p in PACKAGES if not reported.get(p.distribution)]
    assert missing == []

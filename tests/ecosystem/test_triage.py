"""The ecosystem files agree with each other, and triage matching does what it says.

These tests read only files of the repository (the triage, the pins, the package list, the
adapters' names) and small reports made here: none of the third-party packages is needed,
so they run in ``make test``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sockspec.conformance.preconditions import Blocked

from tests.ecosystem import ecosystem_adapters
from tests.ecosystem.packages import ADAPTER_MODULE, PACKAGES
from tests.ecosystem.triage import (
    Finding,
    TriageEntry,
    TriageError,
    findings,
    load_triage,
    match,
)

HERE = Path(__file__).resolve().parent
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>[\w.]+)$")


def test_requirements_pin_exactly_the_listed_packages() -> None:
    """requirements.txt pins every package of packages.py with ==, and nothing else."""
    lines = (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    matched = [_PIN.match(pin) for pin in pins]
    assert all(matched), f"not an exact pin: {pins}"
    names = sorted(m.group("name").lower() for m in matched if m)
    assert names == sorted(p.distribution.lower() for p in PACKAGES)


def test_every_adapter_is_used() -> None:
    """Each factory named in packages.py is an adapter, and each adapter is named there."""
    named = {f for p in PACKAGES for f in p.adapters.values()}
    named |= {t.split(":", 1)[1] for p in PACKAGES for t in p.extra if t.startswith(ADAPTER_MODULE)}
    assert named == set(ecosystem_adapters.ADAPTERS)


def test_adapter_of_an_always_binding_package_blocks_a_deferred_bind() -> None:
    """bind_and_activate=False blocks the check on the bind_and_activate clause."""
    adapter = ecosystem_adapters.ADAPTERS["paste_wsgi_server"]
    ecosystem_adapters.refuse_deferred_bind(adapter, True)  # binding at once is fine
    with pytest.raises(Blocked) as stopped:
        ecosystem_adapters.refuse_deferred_bind(adapter, False)
    assert stopped.value.clause_id == "creation.bind_and_activate.parameter"
    assert "paste.httpserver.WSGIServer() always binds" in stopped.value.reason


def test_unknown_adapter_name_is_an_attribute_error() -> None:
    """A name that is no adapter is reported as a missing attribute (the suite says so)."""
    with pytest.raises(AttributeError, match="no_such_adapter"):
        ecosystem_adapters.__getattr__("no_such_adapter")


def test_findings_lists_failures_and_target_problems() -> None:
    """Failed, error and xpassed clauses and a target's problem are findings; others not."""
    outcomes = ["passed", "failed", "error", "xpassed", "blocked", "not-run", "skipped"]
    report: dict[str, object] = {
        "targets": [
            {
                "target": "m:A",
                "problem": "",
                "clauses": [{"id": o, "outcome": o} for o in outcomes],
            },
            {"target": "m:B", "problem": "needs an argument: app", "clauses": []},
        ]
    }
    found = findings("pkg", report)
    assert [(f.target, f.clause) for f in found] == [
        ("m:A", "failed"),
        ("m:A", "error"),
        ("m:A", "xpassed"),
        ("m:B", "*"),
    ]


def test_match_pairs_by_glob_and_reports_the_rest() -> None:
    """Entries match target and clause globs; unmatched findings and unused entries come back."""
    hit = Finding("pkg", "m:UDPServer", "server.bind", "failed", "")
    miss = Finding("pkg", "m:Handler", "handler.x", "failed", "")
    used = TriageEntry("m:*Server", "server.*", "deviation", "m.py:1", "why")
    stale = TriageEntry("m:Other", "*", "deviation", "m.py:2", "why")
    triaged, untriaged, unused = match([hit, miss], [used, stale])
    assert triaged == {hit: used}
    assert untriaged == [miss]
    assert unused == [stale]


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("{}", "JSON array"),
        ('[{"target": "a"}]', "exactly"),
        ('[{"target": "a", "clause": "b", "kind": "bug", "where": "c", "why": "d"}]', "kind"),
        ('[{"target": "a", "clause": "b", "kind": "deviation", "where": "", "why": "d"}]', "empty"),
    ],
)
def test_malformed_triage_is_refused(tmp_path: Path, content: str, complaint: str) -> None:
    """A triage file that is not an array of complete, known-kind entries is an error."""
    path = tmp_path / "triage.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TriageError, match=complaint):
        load_triage(path)

"""``.. sockspec-mutation::``: the mutation score from ``mutation/results/python-*.json``.

``make mutation`` (``mutation/run.py``) writes one file per Python: every cosmic-ray
mutant of that Python's ``socketserver.py`` it judged, with the verdict of CPython's own
``test_socketserver`` and of sockspec's suite, and the triage of each survivor (kept in
step with ``mutation/equivalent.txt`` by ``tests/mutants/test_triage.py``).  This page
shows, per Python: the totals and the figure of merit killed / (judged - equivalent), the
two suites per cosmic-ray operator and per ``socketserver`` class, the equivalent mutants
with their reasons, and the mutants still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

from sphinx.util.docutils import SphinxDirective

from . import jsondata
from .rst import escape, heading, list_table, literal

NOT_RUN = (
    ".. note::\n\n"
    "   **No mutation results** were found when this site was built: ``mutation/results/``\n"
    "   holds no ``python-*.json``. Run ``make mutation`` (or ``MUTATION_SAMPLE=N make\n"
    "   mutation``), then ``make docs``.\n"
)


def _mutants(run: dict[str, object]) -> list[dict[str, object]]:
    return [jsondata.record(item) for item in jsondata.items(run.get("mutants"))]


def _verdict(mutant: dict[str, object], suite: str) -> str:
    return jsondata.text(jsondata.record(mutant.get(suite)).get("verdict"))


def _killed(mutants: Iterable[dict[str, object]], suite: str) -> int:
    return sum(1 for mutant in mutants if _verdict(mutant, suite) == "killed")


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100.0 * part / whole:.0f} %)" if whole else "-"


def _merit(mutants: list[dict[str, object]], suite: str) -> str:
    """killed / (judged - equivalent) for one suite."""
    equivalent = sum(1 for mutant in mutants if mutant.get("triage") == "equivalent")
    return _percent(_killed(mutants, suite), len(mutants) - equivalent)


def _summary(run: dict[str, object], mutants: list[dict[str, object]]) -> str:
    judged = len(mutants)
    total = int(jsondata.number(run.get("all_mutants")))
    sample = run.get("sample_size")
    scope = (
        f"a sample of {sample} of the {total} mutants (seed {run.get('sample_seed')})"
        if sample
        else f"all {total} mutants"
    )
    seconds = [
        jsondata.number(jsondata.record(m.get(suite)).get("seconds"))
        for m in mutants
        for suite in ("cpython", "sockspec")
    ]
    per_mutant = sum(seconds) / judged if judged else 0.0
    either = sum(
        1 for m in mutants if "killed" in (_verdict(m, "cpython"), _verdict(m, "sockspec"))
    )
    errors = sum(
        1 for m in mutants for suite in ("cpython", "sockspec") if _verdict(m, suite) == "error"
    )
    incompetent = int(jsondata.number(run.get("incompetent")))
    rows = [
        ("Mutants judged", scope),
        ("Left out: mutated module does not import", str(incompetent)),
        ("Killed by CPython's test_socketserver", _percent(_killed(mutants, "cpython"), judged)),
        ("Killed by sockspec", _percent(_killed(mutants, "sockspec"), judged)),
        ("Killed by either", _percent(either, judged)),
        ("Equivalent (triaged)", str(sum(1 for m in mutants if m.get("triage") == "equivalent"))),
        ("Open survivors of sockspec", str(sum(1 for m in mutants if m.get("triage") == "open"))),
        ("Suite runs that could not judge (error)", str(errors)),
        ("sockspec: killed / (judged - equivalent)", _merit(mutants, "sockspec")),
        ("CPython's suite: killed / (judged - equivalent)", _merit(mutants, "cpython")),
        ("Baseline runs (unmutated)", (
            f"CPython's suite {jsondata.number(run.get('baseline_cpython_seconds')):.1f} s,"
            f" sockspec {jsondata.number(run.get('baseline_sockspec_seconds')):.1f} s"
        )),
        ("Time per mutant (both suites, mean)", f"{per_mutant:.1f} s"),
        ("Wall time of the run", f"{jsondata.number(run.get('wall_seconds')):.0f} s"),
        ("Mutants judged at once", str(int(jsondata.number(run.get("workers"))) or 1)),
        ("Machine load (1/5/15 min) before, after", _loads(run)),
        ("Judged again after the run (mutation.rejudge)", _rejudged(run)),
    ]  # fmt: skip
    return list_table(("", "Python " + jsondata.text(run.get("python"))), rows, widths=(40, 60))


def _loads(run: dict[str, object]) -> str:
    """The load averages recorded before and after judging ("-" for older records)."""
    parts = [
        " ".join(f"{jsondata.number(v):.2f}" for v in jsondata.items(run.get(key))) or "-"
        for key in ("load_before", "load_after")
    ]
    return ", ".join(parts)


def _rejudged(run: dict[str, object]) -> str:
    notes = [jsondata.record(item) for item in jsondata.items(run.get("rejudged"))]
    if not notes:
        return "none"
    ids = sorted({jsondata.text(note.get("id")) for note in notes})
    return f"{len(ids)} mutants: " + ", ".join(literal(i) for i in ids)


def _grouped(mutants: list[dict[str, object]], key: Callable[[dict[str, object]], str]) -> str:
    groups: dict[str, list[dict[str, object]]] = {}
    for mutant in mutants:
        groups.setdefault(key(mutant), []).append(mutant)
    rows = [
        (
            literal(name),
            str(len(members)),
            str(_killed(members, "cpython")),
            str(_killed(members, "sockspec")),
            str(sum(1 for m in members if m.get("triage") == "equivalent")),
            str(sum(1 for m in members if m.get("triage") == "open")),
        )
        for name, members in sorted(groups.items())
    ]
    header = (
        "",
        "mutants",
        "killed by CPython's suite",
        "killed by sockspec",
        "equivalent",
        "open",
    )
    return list_table(header, rows, widths=(34, 11, 16, 16, 12, 11))


def _operator(mutant: dict[str, object]) -> str:
    return jsondata.text(mutant.get("operator")).removeprefix("core/")


def _definition(mutant: dict[str, object]) -> str:
    return jsondata.text(mutant.get("definition")) or "(module level)"


def _change(mutant: dict[str, object]) -> str:
    removed = " / ".join(jsondata.text(line) for line in jsondata.items(mutant.get("removed")))
    added = " / ".join(jsondata.text(line) for line in jsondata.items(mutant.get("added")))
    return f"{literal(removed)} → {literal(added)}"


def _mutant_rows(
    mutants: list[dict[str, object]], last: Callable[[dict[str, object]], str]
) -> list[tuple[str, ...]]:
    return [
        (
            f"{int(jsondata.number(m.get('line')))}",
            escape(_definition(m)),
            escape(_operator(m)),
            _change(m),
            escape(last(m)),
        )
        for m in sorted(mutants, key=lambda m: jsondata.number(m.get("line")))
    ]


def _listing(
    title: str,
    mutants: list[dict[str, object]],
    last_header: str,
    last: Callable[[dict[str, object]], str],
) -> str:
    if not mutants:
        return ""
    header = ("line", "in", "operator", "change", last_header)
    table = list_table(header, _mutant_rows(mutants, last), widths=(6, 16, 18, 40, 20))
    return heading(title, "~") + "\n" + table + "\n"


def _run_section(run: dict[str, object]) -> str:
    # A mutant that does not even import (cosmic-ray's "incompetent") counts for no suite.
    mutants = [m for m in _mutants(run) if _verdict(m, "sockspec") != "incompetent"]
    python = jsondata.text(run.get("python"))
    counted = dict(run, incompetent=len(_mutants(run)) - len(mutants))
    parts = [heading(f"Python {python}", "-"), _summary(counted, mutants)]
    parts.append(heading("Per cosmic-ray operator", "~"))
    parts.append(_grouped(mutants, _operator))
    parts.append(heading("Per socketserver class", "~"))
    parts.append(_grouped(mutants, _definition))
    equivalent = [m for m in mutants if m.get("triage") == "equivalent"]
    parts.append(
        _listing(
            "Equivalent mutants", equivalent, "why", lambda m: jsondata.text(m.get("triage_reason"))
        )
    )
    open_ones = [m for m in mutants if m.get("triage") == "open"]
    parts.append(
        _listing(
            "Open survivors of sockspec's suite",
            open_ones,
            "CPython's suite",
            lambda m: _verdict(m, "cpython"),
        )
    )
    return "\n".join(part for part in parts if part)


def mutation_rst(results_dir: Path) -> tuple[str, list[Path]]:
    """The page body and the data files it read."""
    files = sorted(results_dir.glob("python-*.json"))
    if not files:
        return NOT_RUN, []
    runs = [jsondata.record(jsondata.read(path)) for path in files]

    def version(run: dict[str, object]) -> tuple[int, ...]:
        return tuple(
            int(part)
            for part in jsondata.text(run.get("python"), "0").split(".")[:2]
            if part.isdigit()
        )

    sections = [_run_section(run) for run in sorted(runs, key=version)]
    return "\n".join(sections), files


class MutationDirective(SphinxDirective):
    """``.. sockspec-mutation::``: the recorded mutation runs, or a note that none exist."""

    has_content = False

    def run(self) -> list[Any]:
        """Generate the page from the results directory and parse it in place."""
        text, read = mutation_rst(Path(self.config.sockspec_mutation_dir))
        for path in read:
            self.env.note_dependency(str(path))
        return self.parse_text_to_nodes(text, allow_section_headings=True)

"""Benchmark figures from ``bench/results.json`` (format ``sockspec-bench/1``) and its plots.

One table per benchmark section: for each case and metric, every target's median with
its min-max range, and the ratio to each baseline the run computed (same-run ratios, so
a busy machine shifts both sides).  The plots are the SVG or PNG files ``make bench``
wrote under ``bench/plots/``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from . import jsondata
from .rst import escape, heading, list_table, literal, one_line

_PLOT_SUFFIXES = (".svg", ".png")
SECTION_TITLES = {
    "cpu_per_request": "Server CPU time per request",
    "concurrency": "Concurrent clients",
    "shutdown": "shutdown() latency",
    "suite": "Conformance suite speed",
}
#: Plots of each section, by the stable file names bench/README.md gives them.
SECTION_PLOTS = {
    "cpu_per_request": ("cpu_per_request",),
    "concurrency": ("concurrency_throughput", "concurrency_latency"),
    "shutdown": ("shutdown_latency",),
    "suite": ("suite_speed",),
}
NOT_RUN = (
    ".. note::\n\n"
    "   **No benchmark results** were found when this site was built: ``bench/results.json``\n"
    "   does not exist. Run ``make bench``, then ``make docs``, to fill this part.\n"
)


def _plots(bench_dir: Path) -> dict[str, Path]:
    folder = bench_dir / "plots"
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix in _PLOT_SUFFIXES:
            # One figure per name: SVG (sorted first) wins over a PNG of the same plot.
            found.setdefault(path.stem, path)
    return found


def _figure(plot: Path, srcdir: Path) -> str:
    relative = Path(os.path.relpath(plot, srcdir)).as_posix()
    caption = f"{escape(plot.stem.replace('_', ' '))} (``bench/plots/{plot.name}``)"
    return f".. figure:: {relative}\n   :width: 100%\n\n   {caption}\n"


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _median_cell(row: dict[str, object]) -> str:
    median = row.get("median")
    if not isinstance(median, (int, float)):
        return "not measured"
    unit = jsondata.text(row.get("unit"))
    low, high = row.get("min"), row.get("max")
    spread = ""
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        spread = f" ({_number(float(low))}-{_number(float(high))})"
    return escape(f"{_number(float(median))} {unit}{spread}")


def _ratios_text(row: dict[str, object]) -> str:
    ratios = jsondata.record(row.get("ratios"))
    shown = [
        f"{_number(jsondata.number(value))}x {name}"
        for name, value in ratios.items()
        if isinstance(value, (int, float))
    ]
    return escape(", ".join(shown))


def section_rst(rows: Sequence[dict[str, object]]) -> str:
    """One section's rows as a table: a row per case and metric, a column per target.

    Each cell holds the median with its min-max range and, below it, the ratio to each
    baseline the run computed.
    """
    targets = list(dict.fromkeys(jsondata.text(row.get("target"), "?") for row in rows))
    by_key: dict[tuple[str, str], dict[str, dict[str, object]]] = {}
    for row in rows:
        key = (jsondata.text(row.get("case"), "?"), jsondata.text(row.get("metric"), "?"))
        by_key.setdefault(key, {})[jsondata.text(row.get("target"), "?")] = row
    table_rows: list[list[str]] = []
    for (case, metric), cells in by_key.items():
        first = next(iter(cells.values()))
        better = "higher" if first.get("higher_is_better") is True else "lower"
        line = [literal(case), escape(f"{metric} ({better} is better)")]
        for target in targets:
            measured = cells.get(target)
            if measured is None:
                line.append("not measured")
                continue
            ratios = _ratios_text(measured)
            line.append(_median_cell(measured) + (f"\n\n{ratios}" if ratios else ""))
        table_rows.append(line)
    header = ("Case", "Metric", *(escape(target) for target in targets))
    return list_table(header, table_rows, classes=("sockspec-bench",))


def bench_rst(
    bench_dir: Path, srcdir: Path, only: Sequence[str] = (), with_plots: bool = True
) -> tuple[str, list[Path]]:
    """The generated text (all sections, or ``only`` these) and the files it was made from."""
    results = bench_dir / "results.json"
    plots = _plots(bench_dir)
    if not results.is_file():
        brief = "*No benchmark results yet: run* ``make bench`` *, then* ``make docs`` *.*\n"
        return (brief if only else NOT_RUN), [results]
    document = jsondata.record(jsondata.read(results))
    rows = [jsondata.record(raw) for raw in jsondata.items(document.get("rows"))]
    sections = list(dict.fromkeys(jsondata.text(row.get("section")) for row in rows))
    parts: list[str] = []
    if not only:
        parts.append(_machine_rst(document))
    for section in sections:
        if only and section not in only:
            continue
        if not only:
            parts.append(heading(SECTION_TITLES.get(section, section), "-"))
        parts.append(section_rst([row for row in rows if row.get("section") == section]))
        for name in SECTION_PLOTS.get(section, ()) if with_plots else ():
            if name in plots:
                parts.append(_figure(plots[name], srcdir))
    if not only:
        known = {name for names in SECTION_PLOTS.values() for name in names}
        others = [plot for name, plot in plots.items() if name not in known]
        if others:
            parts.append(heading("Other plots", "-"))
            parts.extend(_figure(plot, srcdir) for plot in others)
    return "\n".join(parts), [results, *plots.values()]


def _machine_rst(document: dict[str, object]) -> str:
    machine = jsondata.record(document.get("machine"))
    facts = [
        ("CPU", jsondata.text(machine.get("cpu_model"), "?")),
        ("Cores", str(machine.get("cores", "?"))),
        ("OS", jsondata.text(machine.get("os"), "?")),
        ("Python", jsondata.text(machine.get("python"), "?")),
        ("Total run time", f"{jsondata.number(document.get('total_seconds')):.0f} s"),
    ]
    settings = jsondata.record(document.get("settings"))
    if settings.get("quick") is True:
        facts.append(("Mode", "quick smoke run: figures are not for publishing"))
    lines = ["The figures below were measured on this machine:", ""]
    lines += [f"* {name}: {escape(one_line(value))}" for name, value in facts]
    notes = [jsondata.text(note) for note in jsondata.items(document.get("notes"))]
    if notes:
        lines += ["", "Notes from the run:", ""]
        lines += [f"* {escape(one_line(note))}" for note in notes if note.strip()]
    return "\n".join(lines) + "\n"

"""The figures the docs show, drawn with matplotlib's Agg backend into ``bench/plots/``.

All plotting lives here so the rest of the benchmark needs no third-party package. File names
are stable (the docs include them): cpu_per_request.svg, concurrency_throughput.svg,
concurrency_latency.svg, shutdown_latency.svg, suite_speed.svg.
"""

# matplotlib's own hints leave most **kwargs unannotated, which strict pyright reports at every
# call; that one rule is relaxed here, in the only module that touches matplotlib.
# pyright: reportUnknownMemberType=false

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .results import Row

COLOURS: Dict[str, str] = {"floor": "#9e9e9e", "stdlib": "#1f77b4", "impl": "#ff7f0e"}
FALLBACK_COLOUR = "#2ca02c"
FORMATS = ("svg", "png")
_format = "svg"


def _colour(target: str) -> str:
    return COLOURS.get(target, FALLBACK_COLOUR)


def _select(rows: Sequence[Row], section: str, metric: str) -> List[Row]:
    return [row for row in rows if row.section == section and row.metric == metric and row.samples]


def _ordered(values: Sequence[str]) -> List[str]:
    return list(dict.fromkeys(values))


def _save(figure: Figure, directory: Path, name: str, subtitle: str) -> Path:
    figure.suptitle(subtitle, fontsize=8, color="#555555")
    path = (directory / name).with_suffix("." + _format)
    # Fixed metadata and hash salt keep the SVG identical when the numbers are.
    figure.savefig(path, metadata={"Date": None})
    return path


def _grouped_bars(axes: Axes, rows: Sequence[Row], cases: Sequence[str]) -> None:
    """Median bars with min-max whiskers, one group per case, one bar per target."""
    targets = _ordered([row.target for row in rows])
    width = 0.8 / max(1, len(targets))
    by_key = {(row.case, row.target): row for row in rows}
    for index, target in enumerate(targets):
        positions: List[float] = []
        medians: List[float] = []
        below: List[float] = []
        above: List[float] = []
        for case_index, case in enumerate(cases):
            row = by_key.get((case, target))
            if row is None:
                continue
            summary = row.summary
            positions.append(case_index + (index - (len(targets) - 1) / 2) * width)
            medians.append(summary.median)
            below.append(summary.median - summary.low)
            above.append(summary.high - summary.median)
        axes.bar(
            positions,
            medians,
            width,
            yerr=[below, above],
            capsize=3,
            label=target,
            color=_colour(target),
        )
    axes.set_xticks(range(len(cases)))
    axes.set_xticklabels(cases)
    axes.legend(fontsize=8)
    axes.grid(axis="y", alpha=0.3)


def cpu_per_request(rows: Sequence[Row], directory: Path, subtitle: str) -> Path:
    """Server CPU microseconds per echo request, per scenario and target."""
    selected = _select(rows, "cpu_per_request", "server CPU per request")
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    _grouped_bars(axes, selected, _ordered([row.case for row in selected]))
    axes.set_ylabel("server CPU per request (µs, median, min-max)")
    axes.set_title("Server CPU per echo request (lower is better)")
    return _save(figure, directory, "cpu_per_request.svg", subtitle)


def _by_clients(rows: Sequence[Row], mode: str, target: str) -> tuple[List[int], List[Row]]:
    chosen = [row for row in rows if row.case.startswith(mode + "-") and row.target == target]
    chosen.sort(key=lambda row: int(row.case.rpartition("-")[2]))
    return [int(row.case.rpartition("-")[2]) for row in chosen], chosen


def _client_axis(axes: Axes, rows: Sequence[Row]) -> None:
    """A log-2 axis labelled with the measured client counts as plain numbers."""
    counts = sorted({int(row.case.rpartition("-")[2]) for row in rows})
    axes.set_xscale("log", base=2)
    axes.set_xticks(counts)
    axes.set_xticklabels([str(count) for count in counts])
    axes.minorticks_off()


def _client_axes(
    axes: Axes, rows: Sequence[Row], mode: str, ylabel: str, *, legend_size: int
) -> None:
    """Label one concurrency panel: the client axis, ``ylabel``, the server class, a legend."""
    _client_axis(axes, rows)
    axes.set_xlabel("concurrent clients")
    axes.set_ylabel(ylabel)
    axes.set_title(f"{mode.capitalize()}TCPServer")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=legend_size)


def concurrency(rows: Sequence[Row], directory: Path, subtitle: str) -> List[Path]:
    """Throughput and latency against concurrent clients, threading and forking side by side."""
    paths: List[Path] = []
    throughput = _select(rows, "concurrency", "requests/s")
    modes = _ordered([row.case.rpartition("-")[0] for row in throughput])
    targets = _ordered([row.target for row in throughput])
    figure = Figure(figsize=(8, 4), layout="constrained")
    for index, mode in enumerate(modes):
        axes = figure.add_subplot(1, len(modes), index + 1)
        for target in targets:
            clients, chosen = _by_clients(throughput, mode, target)
            medians = [row.summary.median for row in chosen]
            axes.errorbar(
                clients,
                medians,
                yerr=[
                    [row.summary.median - row.summary.low for row in chosen],
                    [row.summary.high - row.summary.median for row in chosen],
                ],
                marker="o",
                capsize=3,
                label=target,
                color=_colour(target),
            )
        _client_axes(axes, throughput, mode, "requests/s (median, min-max)", legend_size=8)
    paths.append(_save(figure, directory, "concurrency_throughput.svg", subtitle))

    figure = Figure(figsize=(8, 4), layout="constrained")
    for index, mode in enumerate(modes):
        axes = figure.add_subplot(1, len(modes), index + 1)
        for target in targets:
            for metric, style in (("p50 latency", "-"), ("p99 latency", "--")):
                clients, chosen = _by_clients(_select(rows, "concurrency", metric), mode, target)
                axes.plot(
                    clients,
                    [row.summary.median for row in chosen],
                    linestyle=style,
                    marker="o",
                    label=f"{target} {metric.split()[0]}",
                    color=_colour(target),
                )
        axes.set_yscale("log")
        _client_axes(axes, throughput, mode, "latency (ms, median of runs)", legend_size=7)
    paths.append(_save(figure, directory, "concurrency_latency.svg", subtitle))
    return paths


def shutdown_latency(rows: Sequence[Row], directory: Path, subtitle: str) -> Path:
    """The empirical distribution (ECDF) of shutdown() durations per target."""
    selected = _select(rows, "shutdown", "shutdown()")
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    for row in selected:
        ordered = sorted(row.samples)
        shares = [(index + 1) / len(ordered) for index in range(len(ordered))]
        axes.step(ordered, shares, where="post", label=row.target, color=_colour(row.target))
    axes.set_xscale("log")
    axes.set_xlabel("shutdown() duration (ms)")
    axes.set_ylabel("share of calls at most this long")
    axes.set_title("shutdown() while serve_forever() polls with its default interval")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _save(figure, directory, "shutdown_latency.svg", subtitle)


def suite_speed(rows: Sequence[Row], directory: Path, subtitle: str) -> Path:
    """Wall time of one conformance run per target next to CPython's test_socketserver."""
    selected = _select(rows, "suite", "wall time")
    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    counts = {
        (row.case, row.target): row.summary.median for row in _select(rows, "suite", "checks run")
    }
    labels = [
        f"{row.case} ({row.target}, {counts[row.case, row.target]:.0f} checks)"
        if (row.case, row.target) in counts
        else row.target
        for row in selected
    ]
    medians = [row.summary.median for row in selected]
    axes.barh(
        range(len(selected)),
        medians,
        xerr=[
            [row.summary.median - row.summary.low for row in selected],
            [row.summary.high - row.summary.median for row in selected],
        ],
        capsize=3,
        color=[_colour(row.target) for row in selected],
    )
    axes.set_yticks(range(len(selected)))
    axes.set_yticklabels(labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("wall time of one run (s, median, min-max)")
    axes.set_title("One conformance run per target vs test_socketserver")
    axes.grid(axis="x", alpha=0.3)
    return _save(figure, directory, "suite_speed.svg", subtitle)


def draw_all(
    rows: Sequence[Row], directory: Path, subtitle: str, image_format: str = "svg"
) -> List[Path]:
    """Every figure whose data is present, as SVG (the published form) or PNG."""
    global _format
    _format = image_format
    matplotlib.rcParams["svg.hashsalt"] = "sockspec-bench"
    directory.mkdir(parents=True, exist_ok=True)
    sections = {row.section for row in rows}
    paths: List[Path] = []
    if "cpu_per_request" in sections:
        paths.append(cpu_per_request(rows, directory, subtitle))
    if "concurrency" in sections:
        paths += concurrency(rows, directory, subtitle)
    if "shutdown" in sections:
        paths.append(shutdown_latency(rows, directory, subtitle))
    if "suite" in sections:
        paths.append(suite_speed(rows, directory, subtitle))
    return paths

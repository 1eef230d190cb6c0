"""Benchmark rows, their same-run ratios, the printed table and ``bench/results.json``.

Every measurement is a :class:`Row`: repeated samples of one metric for one target in one case.
A row's ratios compare its median with the median of each baseline target measured for the same
section, case and metric in the same run (``value / baseline``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .stats import Summary, summarize

FORMAT = "sockspec-bench/1"


@dataclass
class Row:
    """Repeated samples of one metric, for one target, in one case of one benchmark section."""

    section: str
    case: str
    target: str
    metric: str
    unit: str
    samples: List[float]
    higher_is_better: bool = False
    shown: bool = True  # printed in the table; every row goes to results.json
    ratios: Dict[str, float] = field(default_factory=lambda: {})
    ratio_ranges: Dict[str, Tuple[float, float]] = field(default_factory=lambda: {})

    @property
    def summary(self) -> Summary:
        """Median, min and max of the samples."""
        return summarize(self.samples)

    def as_json(self) -> Dict[str, Any]:
        """The row as stored in results.json."""
        summary = self.summary
        return {
            "section": self.section,
            "case": self.case,
            "target": self.target,
            "metric": self.metric,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "primary": self.shown,
            "median": _finite(summary.median),
            "min": _finite(summary.low),
            "max": _finite(summary.high),
            "repetitions": summary.count,
            "samples": [_finite(value) for value in self.samples],
            "ratios": {name: _finite(value) for name, value in self.ratios.items()},
            "ratio_ranges": {
                name: [_finite(low), _finite(high)]
                for name, (low, high) in self.ratio_ranges.items()
            },
        }


def _finite(value: float) -> Any:
    """JSON has no NaN: missing values are stored as null."""
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def add_ratios(rows: Sequence[Row], baselines: Mapping[str, Sequence[str]]) -> None:
    """Fill each row's ratios against the baselines its section names.

    A baseline is a target name, compared within the same case, or ``"case/target"``, one row
    every case of the section is compared with. Where both rows have one sample per repetition
    of the same interleaved run, the range of the per-repetition ratios is kept too.
    """
    by_key = {(row.section, row.case, row.metric, row.target): row for row in rows}
    for row in rows:
        order = list(baselines.get(row.section, ()))
        # A baseline is compared only with what comes after it: the floor is not "0.8x stdlib".
        if row.target in order:
            order = order[: order.index(row.target)]
        for baseline in order:
            case, _, target = baseline.rpartition("/")
            if (case or row.case, target) == (row.case, row.target):
                continue
            base = by_key.get((row.section, case or row.case, row.metric, target))
            if base is None:
                continue
            reference = base.summary.median
            if reference > 0 and not math.isnan(reference):
                row.ratios[target] = row.summary.median / reference
            paired = [
                mine / theirs
                for mine, theirs in zip(row.samples, base.samples)
                if theirs > 0 and not math.isnan(mine)
            ]
            if not case and len(paired) == len(row.samples) > 1:
                row.ratio_ranges[target] = (min(paired), max(paired))


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _ratio(value: float) -> str:
    # Two decimals hide a ratio like 0.0008 (a 1000-fold win); small ones keep two digits.
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def _range_text(span: Optional[Tuple[float, float]]) -> str:
    return f" [{_ratio(span[0])}-{_ratio(span[1])}]" if span else ""


def format_table(rows: Sequence[Row]) -> str:
    """The plain-text table: value (median, min, max) and ratios, grouped by section.

    A ratio is followed by the range of its per-repetition ratios in brackets, where known.
    """
    header = ("case", "target", "metric", "median", "min", "max", "unit", "n", "ratio")
    lines: List[List[str]] = []
    section = None
    for row in rows:
        if not row.shown:
            continue
        if section is not None and row.section != section:
            lines.append([""] * len(header))  # a blank line between sections
        section = row.section
        summary = row.summary
        ratio_text = ", ".join(
            f"{_ratio(value)}x {name}" + _range_text(row.ratio_ranges.get(name))
            for name, value in row.ratios.items()
        )
        lines.append(
            [
                f"{row.section}/{row.case}",
                row.target,
                row.metric + (" (higher is better)" if row.higher_is_better else ""),
                _number(summary.median),
                _number(summary.low),
                _number(summary.high),
                row.unit,
                str(summary.count),
                ratio_text or "-",
            ]
        )
    widths = [max(len(cells[i]) for cells in [list(header), *lines]) for i in range(len(header))]
    numeric = {3, 4, 5, 7}

    def render(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(header), rule, *(render(cells) for cells in lines)])


def format_glance(rows: Sequence[Row], target: str, baseline: str) -> str:
    """One line per primary metric: how ``target`` compares with ``baseline`` (median ratio)."""
    lines = [
        f"  {row.section}/{row.case} {row.metric}: {_ratio(row.ratios[baseline])}x"
        + (" (higher is better)" if row.higher_is_better else "")
        for row in rows
        if row.shown and row.target == target and baseline in row.ratios
    ]
    return "\n".join(lines)


def write_json(
    path: Path,
    *,
    machine: Mapping[str, Any],
    settings: Mapping[str, Any],
    rows: Sequence[Row],
    notes: Sequence[str],
    seconds: float,
) -> None:
    """Write results.json (format ``sockspec-bench/1``, described in bench/README.md)."""
    document = {
        "format": FORMAT,
        "machine": dict(machine),
        "settings": dict(settings),
        "total_seconds": round(seconds, 1),
        "notes": list(notes),
        "rows": [row.as_json() for row in rows],
    }
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")

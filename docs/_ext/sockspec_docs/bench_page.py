"""The benchmarks page: figures from ``bench/results.json`` and the plots of ``make bench``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .rst import escape, list_table, literal

_PLOT_SUFFIXES = (".svg", ".png")
NOT_RUN = (
    ".. note::\n\n"
    "   No benchmark results were found when this site was built: ``bench/results.json``\n"
    "   does not exist yet. Run ``make bench``, then ``make docs``, to fill this page.\n"
)


def bench_rst(bench_dir: Path, srcdir: Path) -> tuple[str, list[Path]]:
    """The generated text and the files it was made from."""
    results = bench_dir / "results.json"
    plots = (
        sorted(path for path in (bench_dir / "plots").glob("*") if path.suffix in _PLOT_SUFFIXES)
        if (bench_dir / "plots").is_dir()
        else []
    )
    parts: list[str] = []
    if results.is_file():
        parts.append(_results_rst(json.loads(results.read_text(encoding="utf-8"))))
    else:
        parts.append(NOT_RUN)
    for plot in plots:
        relative = Path(os.path.relpath(plot, srcdir)).as_posix()
        title = escape(plot.stem.replace("_", " ").replace("-", " "))
        parts.append(f".. figure:: {relative}\n   :width: 100%\n\n   {title}\n")
    if results.is_file() and not plots:
        parts.append("The benchmark run wrote no plots.\n")
    return "\n".join(parts), [results, *plots]


def _results_rst(document: object) -> str:
    rows: list[list[str]] = []
    if isinstance(document, dict):
        for key, value in document.items():  # pyright: ignore[reportUnknownVariableType]
            rows.append([literal(str(key)), escape(json.dumps(value))])  # pyright: ignore[reportUnknownArgumentType]
    if not rows:
        return "``bench/results.json`` holds no figures.\n"
    return list_table(("Figure", "Value"), rows, widths=(40, 60))

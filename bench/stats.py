"""Summaries of repeated measurements: median with the min-max spread, and percentiles."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Summary:
    """The median of a set of samples and the range they span."""

    median: float
    low: float
    high: float
    count: int


def summarize(samples: Sequence[float]) -> Summary:
    """Summarize at least one sample; NaN everywhere when there are none."""
    if not samples:
        return Summary(math.nan, math.nan, math.nan, 0)
    return Summary(statistics.median(samples), min(samples), max(samples), len(samples))


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in [0, 1]) of the samples; NaN when empty."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]

"""Summary statistics of the benchmarks' timings: one definition of a percentile for every bench."""

from __future__ import annotations

from collections.abc import Iterable


def percentile(values: Iterable[float], share: float) -> float:
    """The sample at ``share`` (0..1) of the sorted values, nearest rank (no interpolation)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]

"""The one percentile every benchmark reports (search, lookup, parse, load)."""

from __future__ import annotations

import pytest

from bench.stats import percentile


def test_percentile_is_the_nearest_ranked_sample_of_unsorted_values() -> None:
    """p50/p95 pick a measured sample by rank (no interpolation), whatever the input order; an
    empty series is an error rather than a made-up number."""
    values = [9.0, 1.0, 5.0, 3.0, 7.0]
    assert percentile(values, 0.5) == 5.0
    assert percentile(values, 0.95) == 9.0
    assert percentile(values, 0.0) == 1.0
    assert percentile([4.0], 0.99) == 4.0
    with pytest.raises(ValueError):
        percentile([], 0.5)

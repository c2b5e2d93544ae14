"""Tests of the benchmarks (bench/): their reports and their parts, without running them."""

from __future__ import annotations

from typing import Any


def by_metric(report: dict[str, Any], field: str = "status") -> dict[tuple[str, str], Any]:
    """One field of every row of a bench report, by (part, metric)."""
    return {(row["part"], row["metric"]): row[field] for row in report["rows"]}

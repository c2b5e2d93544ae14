"""``make bench`` produces a well-formed report. Timings are never asserted here: only the shape
of the report (rows, targets, PASS/FAIL), on a tiny catalog so the check takes seconds."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from bench.__main__ import main as bench_main
from bench.catalog import run_catalog_bench
from bench.report import build_report, format_table, write_report
from portal.settings import get_settings
from tests.bench import by_metric

STATUSES = {"PASS", "FAIL", "INFO", "N/A"}


@pytest.fixture(scope="module")
def tiny_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 60 procedures of the real catalog."""
    source = get_settings().catalog_path
    if not source.is_file():
        pytest.skip(f"catalog not found: {source}")
    target = tmp_path_factory.mktemp("bench") / "tiny.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as src, gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(islice(src, 60))
    return target


def test_catalog_bench_report_is_well_formed(tiny_catalog: Path, tmp_path: Path) -> None:
    """The catalog part yields import, search (real and grown catalog) and lookup rows, each with a
    value, a target and a status, and the JSON report round-trips."""
    catalog = run_catalog_bench(
        tiny_catalog, postgres_url=None, factor=2, repeat=1, dossiers=20, lookups=8, queries=("căn cước", "khai sinh")
    )
    report = build_report(catalog, None)
    metrics = [row["metric"] for row in report["rows"]]
    assert metrics == ["catalog import", "search p95, real catalog", "search p95, 2x catalog", "dossier lookup p95"]
    for row in report["rows"]:
        assert row["part"] == "catalog/sqlite"
        assert isinstance(row["value"], float | int) and row["value"] >= 0
        assert row["target"].startswith("<= ") and row["status"] in {"PASS", "FAIL"}
    assert catalog["engines"]["sqlite"]["search_10x"]["procedures"] == 2 * catalog["engines"]["sqlite"]["procedures"]
    path = write_report(report, tmp_path / "bench.json")
    assert json.loads(path.read_text(encoding="utf-8"))["rows"] == report["rows"]
    table = format_table(report)
    assert "search p95, real catalog" in table
    assert "PASS" in table or "FAIL" in table


def test_nlu_rows_mark_each_number_against_its_target() -> None:
    """NLU results become parse, training, size and memory rows for each pipeline; a missing
    training log is N/A (not a pass), a slow parse is a FAIL."""
    result = {
        "model": "m.tar.gz",
        "parses": 10,
        "p50_ms": 12.0,
        "p95_ms": 45.0,
        "max_ms": 50.0,
        "server_start_seconds": 9.0,
        "peak_rss_mib": 900.0,
        "rss_mib": 880.0,
        "model_mib": 20.5,
        "training_seconds": None,
    }
    report = build_report(None, {"ours": result, "default": {**result, "p95_ms": 10.0, "training_seconds": 90.0}})
    by_key = by_metric(report)
    assert by_key[("nlu/ours", "POST /model/parse p95")] == "FAIL"
    assert by_key[("nlu/default", "POST /model/parse p95")] == "PASS"
    assert by_key[("nlu/ours", "training time (2 cores)")] == "N/A"
    assert by_key[("nlu/default", "training time (2 cores)")] == "PASS"
    assert by_key[("nlu/ours", "model size")] == "INFO"
    assert set(by_key.values()) <= STATUSES
    assert report["failed"] == ["nlu/ours: POST /model/parse p95"]


def test_command_line_writes_the_report(tiny_catalog: Path, tmp_path: Path, capsys) -> None:
    """``python -m bench --only catalog`` prints the table and writes the JSON where asked."""
    out = tmp_path / "reports" / "bench.json"
    code = bench_main(
        ["--only", "catalog", "--postgres", "", "--catalog", str(tiny_catalog), "--factor", "2", "--repeat", "1",
         "--dossiers", "20", "--lookups", "8", "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert "dossier lookup p95" in capsys.readouterr().out

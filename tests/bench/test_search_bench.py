"""The search benchmark helpers that ``make bench`` relies on."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bench.search import run_search_benchmark, synthesize_catalog
from portal.db import create_schema, make_engine, session_factory
from portal.models.catalog import Procedure
from portal.search import engine_for

NAMES = [
    ("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", "Cấp xã"),
    ("1.000894", "Thủ tục đăng ký kết hôn", "Hộ tịch", "Cấp xã"),
    ("1.004222", "Đăng ký thường trú", "Đăng ký, quản lý cư trú", "Cấp xã"),
    ("3.000347", "Đổi giấy phép lái xe", "Sát hạch, cấp giấy phép lái xe", "Cấp bộ"),
]


def test_synthetic_catalog_and_benchmark_report_latency(tmp_path: Path) -> None:
    """synthesize_catalog grows the catalog by the factor with non-colliding codes, and
    run_search_benchmark returns the percentiles the bench target reads (ms, ordered)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bench.db'}")
    create_schema(engine)
    factory = session_factory(engine)
    with factory() as session:
        session.add_all(Procedure(code=c, name=n, field=f, level=lv) for c, n, f, lv in NAMES)
        session.commit()
        assert synthesize_catalog(session, factor=3) == 2 * len(NAMES)
        assert session.scalar(select(func.count()).select_from(Procedure)) == 3 * len(NAMES)
        search = engine_for(engine)
        search.rebuild_index(session)
    result = run_search_benchmark(search, factory, ["đăng ký khai sinh", "kết hôn", ""], repeat=2)
    assert result["engine"] == "sqlite"
    assert result["procedures"] == 3 * len(NAMES)
    assert result["samples"] == 2 * result["queries"]
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    with factory() as session:
        assert search.search(session, "đăng ký khai sinh", limit=1).items[0].code == "1.001193"
    engine.dispose()

"""Search latency: p50/p95 of one engine over citizens' queries, and a synthetic catalog 10x the real one.

:mod:`bench.catalog` runs both on throwaway databases (SQLite and PostgreSQL) for ``make bench``;
targets: p95 <= 20 ms on the real catalog, <= 50 ms on the 10x catalog (:mod:`bench.report`).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from common.text.normalize import fold_accents
from portal.models.catalog import Procedure
from portal.search import ProcedureSearch

from .stats import percentile

# What citizens type (kept here so the benchmark does not depend on the test suite).
BENCH_QUERIES: tuple[str, ...] = (
    "cho hỏi làm cccd mất bao lâu",
    "làm lại căn cước bị mất",
    "đổi thẻ căn cước hết hạn",
    "kich hoat vneid muc 2",
    "nhập khẩu cho con",
    "đăng ký tạm trú cho người thuê trọ",
    "tách hộ khẩu cần những gì",
    "làm giấy khai sinh cho bé",
    "đăng ký kết hôn cần giấy tờ gì",
    "xin giấy độc thân",
    "làm giấy chứng tử cho bà",
    "lý lịch tư pháp làm bao lâu",
    "làm passport hết bao nhiêu tiền",
    "đổi bằng lái xe",
    "lam lai bang lai",
    "sang tên xe máy cũ",
    "chứng thực bản sao ở ubnd xã",
    "đk hkd",
    "đóng cửa hộ kinh doanh",
    "đăng ký mst cá nhân",
    "sổ đỏ",
    "mất sổ đỏ làm lại",
    "tách thửa đất",
    "rút bhxh 1 lần",
    "chế độ thai sản",
    "xin giấy phép xây dựng nhà ở",
    "thủ tục 1.004222",
    "khaii sinhh",
    "",
    "' OR 1=1 --",
)

# Qualifiers the catalog itself uses; the synthetic catalog recombines them with real names.
_QUALIFIERS = (
    "thực hiện tại cấp tỉnh",
    "thực hiện tại cấp xã",
    "thực hiện tại cấp trung ương",
    "có yếu tố nước ngoài",
    "đối với tổ chức",
    "đối với cá nhân, hộ gia đình",
    "trong trường hợp bị mất, hư hỏng",
    "bằng dịch vụ công trực tuyến toàn trình",
    "tại khu vực biên giới",
    "đối với doanh nghiệp nhỏ và vừa",
)
_LEVELS = ("Cấp bộ", "Cấp tỉnh", "Cấp xã", "Cấp tỉnh, Cấp xã", "Cấp bộ, Cấp tỉnh, Cấp xã")


def run_search_benchmark(
    engine: ProcedureSearch,
    session_factory: sessionmaker,
    queries: Sequence[str] = BENCH_QUERIES,
    repeat: int = 5,
    limit: int = 10,
) -> dict[str, Any]:
    """Time ``engine.search`` over ``queries`` (and their accent-free copies), ``repeat`` times.

    One warm-up pass runs first (word statistics load once per process, as in the server).
    Returns wall milliseconds (p50, p95, p99, max, mean), this process's CPU milliseconds,
    the sample count and the machine's load average.
    """
    all_queries = list(dict.fromkeys([*queries, *(fold_accents(q) for q in queries)]))
    samples: list[float] = []
    cpu: list[float] = []
    with session_factory() as session:
        for q in all_queries:
            engine.search(session, q, limit=limit)
        for _ in range(max(1, repeat)):
            for q in all_queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                engine.search(session, q, limit=limit)
                cpu.append((time.process_time() - started_cpu) * 1000.0)
                samples.append((time.perf_counter() - started) * 1000.0)
        procedures = session.scalar(select(func.count()).select_from(Procedure))
    samples.sort()
    cpu.sort()
    return {
        "engine": engine.name,
        "procedures": procedures,
        "queries": len(all_queries),
        "samples": len(samples),
        "p50_ms": round(percentile(samples, 0.50), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "max_ms": round(samples[-1], 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        # CPU of this process only: the whole search on SQLite, the client side on PostgreSQL.
        # With the load average it tells a slow machine from a slow search.
        "cpu_p50_ms": round(percentile(cpu, 0.50), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def synthesize_catalog(session: Session, factor: int = 10, seed: int = 7) -> int:
    """Grow the catalog to ``factor`` times its size with plausible synthetic procedures.

    Each real procedure gets ``factor - 1`` siblings: its name with a catalog-style qualifier,
    sometimes with the tail of another procedure's name, a shuffled level, the same field. The
    vocabulary and name lengths stay realistic, which is what search cost depends on. Codes
    start with "S" so they never collide with national codes. Returns how many rows were added.
    """
    rng = random.Random(seed)
    base = session.execute(select(Procedure.code, Procedure.name, Procedure.field, Procedure.ministry)).all()
    if not base:
        return 0
    names = [row.name for row in base]
    rows = []
    for copy in range(1, max(1, factor)):
        for row in base:
            name = f"{row.name} ({rng.choice(_QUALIFIERS)})"
            if rng.random() < 0.4:
                donor = rng.choice(names).split()
                name = f"{name} {' '.join(donor[len(donor) // 2 :])}"
            rows.append(
                {
                    "code": f"S{copy:02d}.{row.code}",
                    "name": name,
                    "field": row.field,
                    "level": rng.choice(_LEVELS),
                    "ministry": row.ministry,
                }
            )
    for start in range(0, len(rows), 5000):
        session.execute(insert(Procedure), rows[start : start + 5000])
    session.commit()
    return len(rows)

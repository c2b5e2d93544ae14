"""Catalog numbers: import, search (real and 10x catalogs, SQLite and PostgreSQL), dossier lookup.

Each engine gets a throwaway database (a temporary SQLite file, or a schema of its own on
PostgreSQL, dropped afterwards): the developer's ``var/portal.db`` is never touched.
"""

from __future__ import annotations

import contextlib
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from portal.catalog.importer import import_catalog
from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.dossiers.generator import seed_dossiers
from portal.dossiers.lookup import Outcome, lookup_dossier, vietnam_now
from portal.search import engine_for
from portal.settings import PortalSettings, get_settings

from .search import BENCH_QUERIES, run_search_benchmark, synthesize_catalog
from .stats import percentile

BENCH_PII_KEY = "bench-only-pii-key-not-a-secret"


@contextlib.contextmanager
def sqlite_engine() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextlib.contextmanager
def postgres_engine(url: str) -> Iterator[Engine]:
    """Tables in a fresh schema (pg_trgm stays in ``public``), dropped at the end."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, future=True, connect_args={"options": f"-csearch_path={schema},public"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def postgres_available(url: str) -> str | None:
    """None when PostgreSQL answers, else the reason (one line)."""
    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any driver or network error means "not available"
        return str(error).splitlines()[0][:200]
    return None


def bench_lookup(engine: Engine, settings: PortalSettings, dossiers: int, lookups: int) -> dict[str, Any]:
    """Seed ``dossiers`` synthetic dossiers and time owner lookups (found, and wrong factor).

    Timings include the portal's constant-time floor (PORTAL_LOOKUP_MIN_SECONDS), as a citizen
    sees them; every lookup has its own client key so throttling never kicks in."""
    factory = session_factory(engine)
    with session_scope(factory) as session:
        owners = seed_dossiers(session, dossiers, 20260630, BENCH_PII_KEY, vietnam_now().date())
    rng = random.Random(7)
    settings = replace(settings, pii_key=BENCH_PII_KEY)
    found: list[float] = []
    missed: list[float] = []
    for index in range(lookups):
        owner = rng.choice(owners)
        good = index % 4 != 3
        factor = owner.id_number if good else "0" * 12
        with session_scope(factory) as session:
            started = time.perf_counter()
            result = lookup_dossier(session, owner.code, factor, f"bench-{index}", settings, vietnam_now())
            elapsed = (time.perf_counter() - started) * 1000.0
        (found if result.outcome == Outcome.FOUND else missed).append(elapsed)
    samples = found + missed
    return {
        "dossiers": len(owners),
        "lookups": len(samples),
        "found": len(found),
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "floor_ms": round(settings.lookup_min_seconds * 1000.0, 1),
    }


def bench_engine(
    engine: Engine,
    catalog: Path,
    data_date: str,
    factor: int = 10,
    repeat: int = 5,
    dossiers: int = 2000,
    lookups: int = 200,
    queries: tuple[str, ...] = BENCH_QUERIES,
) -> dict[str, Any]:
    """Import the catalog, index, search; seed dossiers and look them up; grow to ``factor``x and search again."""
    settings = get_settings()
    create_schema(engine)
    factory = session_factory(engine)
    search = engine_for(engine)
    result: dict[str, Any] = {"engine": search.name}
    started = time.perf_counter()
    with session_scope(factory) as session:
        report = import_catalog(session, catalog, data_date)
    result["import_seconds"] = round(time.perf_counter() - started, 2)
    result["procedures"] = report.total
    result["brief_coverage_percent"] = {part: round(report.brief_percent(part), 1) for part in report.brief_coverage}
    started = time.perf_counter()
    with session_scope(factory) as session:
        search.rebuild_index(session)
    result["index_seconds"] = round(time.perf_counter() - started, 2)
    result["search_real"] = run_search_benchmark(search, factory, queries=queries, repeat=repeat)
    result["lookup"] = bench_lookup(engine, settings, dossiers, lookups)
    if factor > 1:
        with factory() as session:
            synthesize_catalog(session, factor)
        started = time.perf_counter()
        with session_scope(factory) as session:
            search.rebuild_index(session)
        result["index_seconds_10x"] = round(time.perf_counter() - started, 2)
        result["search_10x"] = run_search_benchmark(search, factory, queries=queries, repeat=repeat)
        result["search_10x"]["factor"] = factor
    return result


def run_catalog_bench(
    catalog: Path | None = None,
    postgres_url: str | None = None,
    factor: int = 10,
    repeat: int = 5,
    dossiers: int = 2000,
    lookups: int = 200,
    queries: tuple[str, ...] = BENCH_QUERIES,
) -> dict[str, Any]:
    """Both engines (PostgreSQL only when ``postgres_url`` answers); a ``skipped`` reason otherwise."""
    settings = get_settings()
    catalog = catalog or settings.catalog_path
    kwargs = {"factor": factor, "repeat": repeat, "dossiers": dossiers, "lookups": lookups, "queries": queries}
    out: dict[str, Any] = {"catalog": str(catalog), "engines": {}}
    with sqlite_engine() as engine:
        out["engines"]["sqlite"] = bench_engine(engine, catalog, settings.catalog_data_date, **kwargs)
    if postgres_url:
        reason = postgres_available(postgres_url)
        if reason:
            out["engines"]["postgresql"] = {"skipped": f"PostgreSQL at {postgres_url} did not answer: {reason}"}
        else:
            with postgres_engine(postgres_url) as engine:
                out["engines"]["postgresql"] = bench_engine(engine, catalog, settings.catalog_data_date, **kwargs)
    return out

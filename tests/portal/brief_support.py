"""Helpers for brief-correction tests: a tiny catalog of real records imported into a fresh database."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from portal.catalog.importer import ImportReport, import_catalog, read_records
from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.settings import get_settings
from tests.missing import missing

BRIEF_CODES = ("1.001193", "1.004222")


def require_catalog() -> Path:
    """The real catalog's path; skips locally, fails under CI (shared/ beside the clone is part of the setup)."""
    path = get_settings().catalog_path
    if not path.exists():
        missing(f"catalog snapshot not found at {path} (set PORTAL_CATALOG_PATH)")
    return path


def real_records(codes: tuple[str, ...] = BRIEF_CODES) -> dict[str, dict[str, Any]]:
    return {r["ma_thu_tuc"]: r for r in read_records(get_settings().catalog_path) if r["ma_thu_tuc"] in codes}


def write_catalog(path: Path, records: list[dict[str, Any]]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def import_records(database_url: str, path: Path) -> ImportReport:
    """Create the schema if needed and import ``path`` (as ``python -m portal import-catalog`` would)."""
    engine = make_engine(database_url)
    create_schema(engine)
    try:
        with session_scope(session_factory(engine)) as session:
            return import_catalog(session, path, "2026-06-30")
    finally:
        engine.dispose()

"""Shared portal fixtures: the real national catalog imported once into a temporary SQLite.

``imported_catalog_engine`` is session-scoped and read-only by convention: tests that write must
use their own database. The import takes about 5 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine

from portal.catalog.importer import ImportReport, import_catalog
from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.settings import get_settings
from tests.portal.brief_support import require_catalog


@dataclass(frozen=True)
class ImportedCatalog:
    engine: Engine
    report: ImportReport


@pytest.fixture(scope="session")
def imported_catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportedCatalog]:
    """The real catalog (settings.catalog_path) imported with the packaged corrections."""
    settings = get_settings()
    require_catalog()  # CI has shared/ beside the clone: a missing catalog is a broken setup there
    path = tmp_path_factory.mktemp("catalog_db") / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with session_scope(session_factory(engine)) as session:
        report = import_catalog(session, settings.catalog_path, settings.catalog_data_date)
    yield ImportedCatalog(engine, report)
    engine.dispose()


@pytest.fixture(scope="session")
def imported_catalog_engine(imported_catalog: ImportedCatalog) -> Engine:
    """Engine of a temporary SQLite holding all 2,642 imported procedures (do not write to it)."""
    return imported_catalog.engine


@pytest.fixture(scope="session")
def imported_catalog_report(imported_catalog: ImportedCatalog) -> ImportReport:
    """The report of the import behind :func:`imported_catalog_engine`."""
    return imported_catalog.report

"""Fixtures for the dossier and API tests: a temporary SQLite registry seeded with synthetic dossiers.

Loaded by test modules through ``pytest_plugins`` so the catalog engineer's ``conftest.py`` stays theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.dossiers.generator import seed_dossiers
from tests.portal.dossier_support import SEED_TODAY, TEST_PII_KEY, SeededRegistry, make_settings, write_small_catalog


@pytest.fixture
def seeded_registry(tmp_path: Path) -> Iterator[SeededRegistry]:
    """600 synthetic dossiers (seed 7) generated as of :data:`SEED_TODAY`."""
    settings = make_settings(tmp_path)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    factory = session_factory(engine)
    with session_scope(factory) as session:
        owners = seed_dossiers(session, 600, 7, TEST_PII_KEY, SEED_TODAY)
    yield SeededRegistry(settings, engine, factory, owners, tmp_path / "portal.db")
    engine.dispose()


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog file with the most-asked procedures plus the first records of the real snapshot."""
    return write_small_catalog(tmp_path_factory.mktemp("catalog") / "catalog.jsonl.gz")


@pytest.fixture(scope="module")
def api_registry(tmp_path_factory: pytest.TempPathFactory, small_catalog: Path) -> Iterator[SeededRegistry]:
    """A registry with the small catalog imported and indexed, plus 600 synthetic dossiers (seed 7)."""
    from portal.catalog.importer import import_catalog
    from portal.search import engine_for

    tmp_path = tmp_path_factory.mktemp("api")
    settings = make_settings(tmp_path, catalog_path=small_catalog)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    factory = session_factory(engine)
    with session_scope(factory) as session:
        import_catalog(session, small_catalog, settings.catalog_data_date)
    with session_scope(factory) as session:
        engine_for(engine).rebuild_index(session)
    with session_scope(factory) as session:
        owners = seed_dossiers(session, 600, 7, TEST_PII_KEY, SEED_TODAY)
    yield SeededRegistry(settings, engine, factory, owners, tmp_path / "portal.db")
    engine.dispose()

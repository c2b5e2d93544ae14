"""Fixtures for the dossier and API tests: a temporary SQLite registry seeded with synthetic dossiers.

Loaded by test modules through ``pytest_plugins`` so the catalog engineer's ``conftest.py`` stays theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.dossiers.generator import seed_dossiers
from tests.portal.dossier_support import SEED_TODAY, TEST_PII_KEY, SeededRegistry, make_settings


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

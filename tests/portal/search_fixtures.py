"""Fixtures for the search tests: both engines indexed over the real imported catalog.

Loaded by test modules through ``pytest_plugins`` so the catalog engineer's ``conftest.py``
stays theirs; ``imported_catalog_engine`` (session-scoped SQLite with the real catalog) is
defined there.

PostgreSQL runs use the machine's server (127.0.0.1:5432, database ``test``, trust auth) and a
schema of their own, dropped afterwards, so concurrent runs never see each other's tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from portal.db import create_schema, session_factory
from portal.models.catalog import Procedure
from portal.search import engine_for
from tests.portal.search_support import PG_DATABASE, PG_HOST, PG_PORT, SearchSetup, postgres_url


@pytest.fixture(scope="session")
def sqlite_search(imported_catalog_engine: Engine) -> SearchSetup:
    """The SQLite (FTS5) engine, indexed over the imported catalog."""
    search = engine_for(imported_catalog_engine)
    factory = session_factory(imported_catalog_engine)
    with factory() as session:
        search.rebuild_index(session)
    return SearchSetup(search, factory, imported_catalog_engine)


@pytest.fixture(scope="session")
def postgres_search(imported_catalog_engine: Engine) -> Iterator[SearchSetup]:
    """The PostgreSQL engine over a copy of the imported catalog in a schema of this run."""
    url = postgres_url()
    if url is None:
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} (database {PG_DATABASE})")
    schema = f"search_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, future=True, connect_args={"options": f"-csearch_path={schema},public"})
    try:
        create_schema(engine)
        table = Procedure.__table__
        with imported_catalog_engine.connect() as src:
            rows = [dict(r) for r in src.execute(select(table)).mappings()]
        with engine.begin() as dst:
            dst.execute(table.insert(), rows)
        search = engine_for(engine)
        factory = session_factory(engine)
        with factory() as session:
            search.rebuild_index(session)
        yield SearchSetup(search, factory, engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_search(request: pytest.FixtureRequest) -> SearchSetup:
    """Each engine in turn (PostgreSQL tests carry the ``postgres`` marker)."""
    return request.getfixturevalue(f"{request.param}_search")

"""Fixtures for the search tests: both engines indexed over the real imported catalog.

Loaded by test modules through ``pytest_plugins`` so the catalog engineer's ``conftest.py``
stays theirs; ``imported_catalog_engine`` (session-scoped SQLite with the real catalog, read-only
by convention) is defined there, and both engines index copies of it.

PostgreSQL runs use the machine's server (127.0.0.1:5432, database ``test``, trust auth) and a
schema of their own, dropped afterwards, so concurrent runs never see each other's tables.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine

from portal.db import create_schema, make_engine, session_factory
from portal.models.catalog import Procedure
from portal.search import engine_for
from tests.missing import missing
from tests.portal.search_support import PG_DATABASE, PG_HOST, PG_PORT, SearchSetup, postgres_url


@pytest.fixture(scope="session")
def sqlite_search(imported_catalog_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchSetup]:
    """The SQLite (FTS5) engine, indexed over a copy of the imported catalog.

    The shared catalog database is read-only by convention, so the index is built in a copy
    (SQLite backup API, a fraction of a second).
    """
    path = tmp_path_factory.mktemp("search_db") / "portal.db"
    source = imported_catalog_engine.raw_connection()
    try:
        with sqlite3.connect(path) as target:
            source.driver_connection.backup(target)
        target.close()
    finally:
        source.close()
    engine = make_engine(f"sqlite:///{path}")
    search = engine_for(engine)
    factory = session_factory(engine)
    with factory() as session:
        search.rebuild_index(session)
    yield SearchSetup(search, factory, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_search(imported_catalog_engine: Engine) -> Iterator[SearchSetup]:
    """The PostgreSQL engine over a copy of the imported catalog in a schema of this run."""
    url = postgres_url()
    if url is None:
        missing(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} (database {PG_DATABASE})")
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

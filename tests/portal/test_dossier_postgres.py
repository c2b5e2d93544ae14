"""The dossier registry on PostgreSQL (production): bulk seeding keeps the id sequences right,
lookups and throttling work the same as on SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from portal.db import create_schema, session_factory, session_scope
from portal.dossiers import statuses as st
from portal.dossiers.generator import seed_dossiers
from portal.dossiers.lookup import Outcome, lookup_dossier
from portal.models.dossier import Dossier
from tests.missing import missing
from tests.portal.dossier_support import SEED_NOW, SEED_TODAY, TEST_PII_KEY, make_settings
from tests.portal.search_support import PG_DATABASE, PG_HOST, PG_PORT, postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    url = postgres_url()
    if url is None:
        missing(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} (database {PG_DATABASE})")
    schema = f"dossier_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, future=True)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, future=True, connect_args={"options": f"-csearch_path={schema}"})
    try:
        create_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_seed_lookup_and_throttle_on_postgres(pg_engine: Engine, tmp_path) -> None:
    """Seeding, lookup and throttling behave on PostgreSQL as on SQLite."""
    factory = session_factory(pg_engine)
    with session_scope(factory) as session:
        owners = seed_dossiers(session, 300, 5, TEST_PII_KEY, SEED_TODAY)
    with session_scope(factory) as session:  # the ORM can still insert: the id sequence moved on
        template = session.get(Dossier, 1)
        values = {c.name: getattr(template, c.name) for c in Dossier.__table__.columns if c.name != "id"}
        session.add(Dossier(**{**values, "code": "000.00.01.H29-200101-0001"}))
    settings = replace(make_settings(tmp_path), database_url=str(pg_engine.url))
    owner = next(o for o in owners if o.status == st.SUPPLEMENT)
    with session_scope(factory) as session:
        found = lookup_dossier(session, owner.code, owner.phone[-4:], "pg-client", settings, SEED_NOW)
    assert found.outcome is Outcome.FOUND and found.dossier and found.dossier.supplement_documents
    for _ in range(5):
        with session_scope(factory) as session:
            lookup_dossier(session, owner.code, "999999999999", "pg-guesser", settings, SEED_NOW)
    with session_scope(factory) as session:
        throttled = lookup_dossier(session, owner.code, owner.id_number, "pg-guesser", settings, SEED_NOW)
    assert throttled.outcome is Outcome.THROTTLED

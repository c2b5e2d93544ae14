"""Helpers shared by the search tests (no fixtures here, so test modules can import it freely)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from portal.search import ProcedureSearch

PG_HOST = os.environ.get("PORTAL_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("PORTAL_TEST_PG_PORT", "5432"))
PG_DATABASE = os.environ.get("PORTAL_TEST_PG_DATABASE", "test")


@dataclass
class SearchSetup:
    """An engine with its index built, and sessions on the database it indexed."""

    search: ProcedureSearch
    factory: sessionmaker
    engine: Engine


def postgres_url() -> str | None:
    """A URL for a PostgreSQL user the server accepts, or None when nobody answers."""
    import psycopg2

    for user in (os.environ.get("PORTAL_TEST_PG_USER"), "postgres", "root"):
        if not user:
            continue
        try:
            psycopg2.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DATABASE, user=user, connect_timeout=3).close()
        except psycopg2.Error:
            continue
        return f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/{PG_DATABASE}"
    return None

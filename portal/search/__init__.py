"""Procedure search for citizens: one interface (:class:`ProcedureSearch`), two engines.

``engine_for(url_or_engine)`` picks the engine for a database: FTS5 on SQLite, full text plus
trigram on PostgreSQL. Both share query understanding (:mod:`.query`, vocabulary in
``synonyms.yml``) and the final ranking (:mod:`.ranking`), so they answer alike.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine, make_url

from portal.search.base import ProcedureSearch, SearchHit, SearchResult
from portal.search.query import Vocabulary

__all__ = ["ProcedureSearch", "SearchHit", "SearchResult", "engine_for"]


def engine_for(url_or_engine: str | Engine, vocabulary: Vocabulary | None = None) -> ProcedureSearch:
    """The search engine that fits this database URL or SQLAlchemy engine."""
    if isinstance(url_or_engine, Engine):
        backend = url_or_engine.dialect.name
    else:
        backend = make_url(url_or_engine).get_backend_name()
    if backend == "sqlite":
        from portal.search.sqlite_engine import SqliteProcedureSearch

        return SqliteProcedureSearch(vocabulary)
    if backend in ("postgresql", "postgres"):
        from portal.search.postgres_engine import PostgresProcedureSearch

        return PostgresProcedureSearch(vocabulary)
    raise ValueError(f"no procedure search engine for database backend {backend!r}")

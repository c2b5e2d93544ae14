"""Procedure search on PostgreSQL: full text over folded names, trigram for typos.

The index table ``procedure_search`` sits in the first schema of the connection's
``search_path`` (tests give every run its own schema). It stores the same folded,
abbreviation-expanded keys as the SQLite engine; a ``tsvector`` of the name ('simple'
configuration: the keys are already folded, no stemming suits Vietnamese syllables) picks the
candidate pool, the shared ranking orders it. When whole words find nothing (typos such as
"khai sin"), ``pg_trgm`` word similarity is tried, if the extension could be installed.
Query words are bound parameters made only of [0-9a-z], so no input reaches SQL or tsquery
syntax.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal.search.base import IndexRow, ProcedureSearch
from portal.search.ranking import Candidate

log = logging.getLogger(__name__)

TABLE = "procedure_search"
_COLUMNS = "code, name, field, level, level_key, name_key, field_key"
_RANK = "ts_rank(document, to_tsquery('simple', :tsq), 1)"
_COLUMNS_T = ", ".join(f"t.{c}" for c in _COLUMNS.split(", "))
TRIGRAM_THRESHOLD = 0.45


def _tsquery(terms: Sequence[str]) -> str:
    """to_tsquery text: an OR of plain words and "w1 w2" phrases (words are [0-9a-z] only)."""
    return " | ".join(f"({' <-> '.join(t.split())})" if " " in t else t for t in terms)


class PostgresProcedureSearch(ProcedureSearch):
    """PostgreSQL full text ('simple') plus pg_trgm fallback over the folded catalog."""

    name = "postgres"
    # ts_rank knows no word rarity (BM25 on SQLite does), so it gets a deeper pool to rerank.
    candidate_pool = 200

    def _write_index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        trigram = self._ensure_trigram(session)
        session.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        session.execute(
            text(
                f"CREATE TABLE {TABLE} (code text PRIMARY KEY, name text NOT NULL, field text NOT NULL, "
                "level text NOT NULL, level_key text NOT NULL, name_key text NOT NULL, field_key text NOT NULL, "
                "document tsvector NOT NULL)"
            )
        )
        if rows:
            session.execute(
                text(
                    f"INSERT INTO {TABLE} ({_COLUMNS}, document) VALUES (:code, :name, :field, :level, :level_key, "
                    ":name_key, :field_key, to_tsvector('simple', :name_key))"
                ),
                [asdict(row) for row in rows],
            )
        session.execute(text(f"CREATE INDEX {TABLE}_document_idx ON {TABLE} USING gin (document)"))
        if trigram:
            session.execute(text(f"CREATE INDEX {TABLE}_trgm_idx ON {TABLE} USING gin (name_key gin_trgm_ops)"))
        session.execute(text(f"ANALYZE {TABLE}"))
        session.commit()

    def _ensure_trigram(self, session: Session) -> bool:
        """Install pg_trgm if allowed (into ``public``, shared by all schemas); False if not."""
        if self._has_trigram(session):
            return True
        try:
            with session.begin_nested():
                session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        except DBAPIError as exc:  # no privilege, or a concurrent run installed it meanwhile
            log.warning("pg_trgm not installed (%s); typo fallback disabled", exc.orig)
        return self._has_trigram(session)

    @staticmethod
    def _has_trigram(session: Session) -> bool:
        return session.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is not None

    def _retrieve(
        self, session: Session, terms: Sequence[str], field_key: str | None, level_key: str | None, pool: int
    ) -> tuple[list[Candidate], int]:
        if not terms:
            return [], 0
        where = ["document @@ to_tsquery('simple', :tsq)"]
        params: dict[str, object] = {"tsq": _tsquery(terms), "pool": pool}
        _filters(where, params, field_key, level_key)
        condition = " AND ".join(where)
        # Rank on the narrow row first, fetch the wide columns of the pool only; count apart
        # (a window count would carry every wide matching row through a sort).
        rows = session.execute(
            text(
                f"SELECT {_COLUMNS_T}, r.relevance FROM (SELECT code, {_RANK} AS relevance "
                f"FROM {TABLE} WHERE {condition} ORDER BY relevance DESC, code LIMIT :pool) r "
                f"JOIN {TABLE} t ON t.code = r.code ORDER BY r.relevance DESC, t.code"
            ),
            params,
        ).all()
        if rows:
            total = session.execute(text(f"SELECT count(*) FROM {TABLE} WHERE {condition}"), params).scalar_one()
            return [Candidate.from_row(r, r.relevance) for r in rows], total
        if self._has_trigram(session):
            return self._retrieve_trigram(session, terms, field_key, level_key, pool)
        return [], 0

    def _retrieve_trigram(
        self, session: Session, terms: Sequence[str], field_key: str | None, level_key: str | None, pool: int
    ) -> tuple[list[Candidate], int]:
        """Typo fallback: word similarity through the trigram index (the ``<%`` operator)."""
        session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :threshold, true)"),
            {"threshold": str(TRIGRAM_THRESHOLD)},
        )
        where = ["CAST(:phrase AS text) OPERATOR(public.<%) name_key"]
        params: dict[str, object] = {"phrase": " ".join(terms), "pool": pool}
        _filters(where, params, field_key, level_key)
        rows = session.execute(
            text(
                f"SELECT {_COLUMNS}, public.word_similarity(:phrase, name_key) AS relevance, "
                f"count(*) OVER () AS matched FROM {TABLE} WHERE {' AND '.join(where)} "
                "ORDER BY relevance DESC, code LIMIT :pool"
            ),
            params,
        ).all()
        return [Candidate.from_row(r, r.relevance) for r in rows], (rows[0].matched if rows else 0)

    def _by_code(self, session: Session, code: str) -> Candidate | None:
        row = session.execute(text(f"SELECT {_COLUMNS} FROM {TABLE} WHERE code = :code"), {"code": code}).first()
        return Candidate.from_row(row, 0.0) if row else None

    def _index_keys(self, session: Session) -> list[tuple[str, str]]:
        return [(r.name_key, r.field_key) for r in session.execute(text(f"SELECT name_key, field_key FROM {TABLE}"))]


def _filters(where: list[str], params: dict[str, object], field_key: str | None, level_key: str | None) -> None:
    if field_key is not None:
        where.append("field_key = :field_key")
        params["field_key"] = field_key
    if level_key is not None:
        where.append("strpos(level_key, :level_key) > 0")
        params["level_key"] = level_key

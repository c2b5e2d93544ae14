"""Procedure search on SQLite: an FTS5 table over accent-folded, abbreviation-expanded names.

The FTS5 table lives next to ``procedures`` in the same database file. It indexes the folded
name only; BM25 picks the candidate pool, the shared ranking orders it (and compares the
field, stored unindexed, there). Query words reach FTS5 only as double-quoted [0-9a-z] strings, so FTS syntax typed
by a citizen (``"``, ``*``, ``NEAR``, ``OR``, ``-``) is inert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import text
from sqlalchemy.orm import Session

from portal.search.base import IndexRow, ProcedureSearch
from portal.search.ranking import Candidate

TABLE = "procedure_search_fts"
# Only name_key is indexed; the unindexed columns get weight 0.
_BM25 = f"bm25({TABLE}, 0, 0, 0, 0, 0, 1.0, 0)"
_COLUMNS = "code, name, field, level, level_key, name_key, field_key"
# Typos: when whole words find nothing, retry with word prefixes (at least this long).
PREFIX_MIN_CHARS = 3


def _match_expression(terms: Sequence[str], prefix: bool = False) -> str:
    """FTS5 OR-query on the name; terms are [0-9a-z] words or "w1 w2" pairs (quoted: a phrase),
    so quoting makes them plain strings."""
    star = "*" if prefix else ""
    return "name_key : (" + " OR ".join(f'"{t}"{star}' for t in terms) + ")"


def _typo_prefix(term: str) -> str:
    """Prefix kept from a misspelt word: doubled or extra final letters are the usual typo."""
    return term[: max(PREFIX_MIN_CHARS, len(term) - 2)]


class SqliteProcedureSearch(ProcedureSearch):
    """FTS5 (unicode61, diacritics removed) over the folded catalog."""

    name = "sqlite"

    def _write_index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        session.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
        session.execute(
            text(
                f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
                "code UNINDEXED, name UNINDEXED, field UNINDEXED, level UNINDEXED, level_key UNINDEXED, "
                "name_key, field_key UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
            )
        )
        if rows:
            session.execute(
                text(
                    f"INSERT INTO {TABLE} ({_COLUMNS}) "
                    "VALUES (:code, :name, :field, :level, :level_key, :name_key, :field_key)"
                ),
                [asdict(row) for row in rows],
            )
        session.commit()

    def _retrieve(
        self, session: Session, terms: Sequence[str], field_key: str | None, level_key: str | None, pool: int
    ) -> tuple[list[Candidate], int]:
        if not terms:
            return [], 0
        candidates, total = self._query(session, _match_expression(terms), field_key, level_key, pool)
        if not candidates:
            prefixes = sorted({_typo_prefix(t) for t in terms if len(t) >= PREFIX_MIN_CHARS and " " not in t})
            if prefixes:
                candidates, total = self._query(session, _match_expression(prefixes, True), field_key, level_key, pool)
        return candidates, total

    def _query(
        self, session: Session, match: str, field_key: str | None, level_key: str | None, pool: int
    ) -> tuple[list[Candidate], int]:
        where = [f"{TABLE} MATCH :match"]
        params: dict[str, object] = {"match": match, "pool": pool}
        if field_key is not None:
            where.append("field_key = :field_key")
            params["field_key"] = field_key
        if level_key is not None:
            where.append("instr(level_key, :level_key) > 0")
            params["level_key"] = level_key
        condition = " AND ".join(where)
        # Two statements: a window count(*) next to bm25() would force a slow materialization.
        rows = session.execute(
            text(
                f"SELECT {_COLUMNS}, -{_BM25} AS relevance FROM {TABLE} WHERE {condition} ORDER BY {_BM25} LIMIT :pool"
            ),
            params,
        ).all()
        total = session.execute(text(f"SELECT count(*) FROM {TABLE} WHERE {condition}"), params).scalar_one()
        return [Candidate.from_row(r, r.relevance) for r in rows], total

    def _by_code(self, session: Session, code: str) -> Candidate | None:
        row = session.execute(text(f"SELECT {_COLUMNS} FROM {TABLE} WHERE code = :code"), {"code": code}).first()
        return Candidate.from_row(row, 0.0) if row else None

    def _index_keys(self, session: Session) -> list[tuple[str, str]]:
        return [(r.name_key, r.field_key) for r in session.execute(text(f"SELECT name_key, field_key FROM {TABLE}"))]

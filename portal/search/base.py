"""The procedure-search interface and the flow every engine shares.

:class:`ProcedureSearch` is what callers (API, actions, benchmarks) use. Its :meth:`search`
is implemented once here: guard the input, understand the query (:mod:`portal.search.query`),
let the engine retrieve candidates, rank them with the shared :mod:`portal.search.ranking`.
An engine only says how to build its index and how to retrieve from it.
"""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text.normalize import fold_accents, normalize_text
from portal.models.catalog import Procedure
from portal.search.query import ParsedQuery, Vocabulary, document_key, load_vocabulary, parse_query
from portal.search.ranking import Candidate, Scored, TermStats, rank

_LEVEL_WORD = re.compile(r"[0-9a-z]+")

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# How many retrieved rows the shared ranking looks at; the right answer is far inside this.
CANDIDATE_POOL = 100
MAX_FILTER_CHARS = 255
FUZZY_MIN_CHARS = 3


@dataclass(frozen=True)
class SearchHit:
    """One procedure in a result list.

    ``matched_terms`` are the query's content words (accent-free, as the catalog spells them) that
    the procedure matched; ``confident`` says they support it well enough to answer without asking
    (see :mod:`portal.search.ranking`). A code typed by the citizen is always confident.
    """

    code: str
    name: str
    field: str
    level: str
    score: float
    matched_terms: tuple[str, ...] = ()
    confident: bool = False


@dataclass(frozen=True)
class SearchResult:
    """Best hits first; ``total`` counts every procedure that matched (before ``limit``)."""

    items: list[SearchHit] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class IndexRow:
    """One procedure as the index stores it."""

    code: str
    name: str
    field: str
    level: str
    name_key: str
    field_key: str
    level_key: str


def clamp_limit(limit: object) -> int:
    """Callers validate limits, but a bad one must not reach SQL: fall back or clamp."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        return DEFAULT_LIMIT
    return max(1, min(limit, MAX_LIMIT))


def clean_filter(value: object) -> str | None:
    """A field/level filter as a normalized string, or None when absent or unusable."""
    if not isinstance(value, str):
        return None
    value = normalize_text(value).strip()[:MAX_FILTER_CHARS]
    return value or None


def level_filter_key(level: str | None) -> str | None:
    """Accent-free level filter; "Cấp xã" must also match a "Cấp tỉnh, Cấp xã" procedure.

    Only [0-9a-z] words survive (as in the stored key): no NUL or other byte PostgreSQL refuses.
    """
    if not level:
        return None
    return " ".join(_LEVEL_WORD.findall(fold_accents(level))) or "#"  # no usable word: matches nothing


class ProcedureSearch(ABC):
    """Search the procedure catalog the way citizens ask (one interface, several engines)."""

    name: str = "base"
    candidate_pool: int = CANDIDATE_POOL

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or load_vocabulary()
        self._stats: dict[str, TermStats] = {}
        self._lock = threading.Lock()

    # -- what an engine provides -------------------------------------------------------------
    @abstractmethod
    def _write_index(self, session: Session, rows: Sequence[IndexRow]) -> None:
        """(Re)create the engine's index from these rows."""

    @abstractmethod
    def _retrieve(
        self, session: Session, terms: Sequence[str], field_key: str | None, level_key: str | None, pool: int
    ) -> tuple[list[Candidate], int]:
        """Up to ``pool`` candidates whose name matches any of ``terms`` (safe [0-9a-z] words, or two
        such words separated by a space: a phrase),
        within the field/level filters (folded keys), with the number of all matching procedures."""

    @abstractmethod
    def _by_code(self, session: Session, code: str) -> Candidate | None:
        """The indexed procedure with this national code."""

    @abstractmethod
    def _index_keys(self, session: Session) -> list[tuple[str, str]]:
        """(name_key, field_key) of every indexed procedure, for the ranking's word weights."""

    # -- shared flow -----------------------------------------------------------------------------
    def rebuild_index(self, session: Session) -> int:
        """Index every procedure of the ``procedures`` table; returns how many were indexed."""
        rows = [
            IndexRow(
                code=code,
                name=name,
                field=fld or "",
                level=level or "",
                name_key=document_key(name, self.vocabulary),
                field_key=document_key(fld or "", self.vocabulary),
                level_key=" ".join(fold_accents(level or "").split()),
            )
            for code, name, fld, level in session.execute(
                select(Procedure.code, Procedure.name, Procedure.field, Procedure.level).order_by(Procedure.code)
            )
        ]
        self._write_index(session, rows)
        with self._lock:
            self._stats.pop(self._cache_key(session), None)
        return len(rows)

    def search(
        self,
        session: Session,
        q: str,
        field: str | None = None,
        level: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> SearchResult:
        """Best procedures for what the citizen typed. Bad input gives an empty result, not an error."""
        parsed = parse_query(q, self.vocabulary)
        if parsed.is_empty:
            return SearchResult()
        limit = clamp_limit(limit)
        field_filter = clean_filter(field)
        # Filters compare folded keys: accents, case and tone placement of the caller do not matter.
        field_key = document_key(field_filter, self.vocabulary) if field_filter else None
        level_key = level_filter_key(clean_filter(level))
        hits: list[SearchHit] = []
        if parsed.code is not None:
            exact = self._by_code(session, parsed.code)
            if exact is not None and _passes(exact, field_key, level_key):
                hits.append(_hit(Scored(exact, 100.0, (parsed.code,), True)))
        total = len(hits)
        if parsed.terms:
            stats = self.term_stats(session)
            parsed = stats.corrected(parsed)
            # No word known to the catalog: hand over the longer ones for the engine's typo fallback.
            exact_terms = stats.retrieval_terms(parsed)
            terms = exact_terms or tuple(t for t in parsed.terms if len(t) >= FUZZY_MIN_CHARS)
            if terms:
                candidates, matched = self._retrieve(session, terms, field_key, level_key, self.candidate_pool)
                if exact_terms:  # one relevance for every engine; the typo fallback keeps the engine's
                    candidates = [replace(c, engine_score=stats.relevance(c.name_key, terms)) for c in candidates]
                seen = {h.code for h in hits}
                vocab = self.vocabulary
                ranked = rank(parsed, candidates, stats, vocab.popular, vocab.actions, vocab.qualifiers)
                hits.extend(_hit(s) for s in ranked if s.candidate.code not in seen)
                total += matched - sum(1 for c in candidates if c.code in seen)
        return SearchResult(items=hits[:limit], total=max(total, len(hits[:limit])))

    def parse(self, q: str) -> ParsedQuery:
        """The query as this engine understands it (for debugging and explanations)."""
        return parse_query(q, self.vocabulary)

    def term_stats(self, session: Session) -> TermStats:
        """Word weights of the indexed catalog, loaded once per database and cached."""
        key = self._cache_key(session)
        with self._lock:
            stats = self._stats.get(key)
        if stats is None:
            stats = TermStats.from_keys(self._index_keys(session))
            with self._lock:
                self._stats[key] = stats
        return stats

    def _cache_key(self, session: Session) -> str:
        bind = session.get_bind()
        return f"{bind.url!r}|{id(bind)}"


def _passes(cand: Candidate, field_key: str | None, level_key: str | None) -> bool:
    if field_key is not None and cand.field_key != field_key:
        return False
    return level_key is None or level_key in cand.level_key


def _hit(scored: Scored) -> SearchHit:
    cand = scored.candidate
    return SearchHit(
        code=cand.code,
        name=cand.name,
        field=cand.field,
        level=cand.level,
        score=round(scored.score, 4),
        matched_terms=scored.matched,
        confident=scored.confident,
    )

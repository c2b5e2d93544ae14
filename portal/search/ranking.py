"""Final ranking, shared by every engine.

Engines only *retrieve* candidates (FTS5, PostgreSQL full text, trigram); the order citizens
see is decided here, the same way for every engine, so that switching the database does not
change the answers. The score rewards:

* coverage: how much of the query (weighted by rarity, IDF) the procedure name contains
  (a word found only in the field, lĩnh vực, counts most of the way: "Đất đai" names say
  just "Giấy chứng nhận");
* phrase: query word pairs found next to each other in the name ("kết hôn", "khai sinh");
* a short, general name: name words the citizen did not ask for count against it, so
  "Đăng ký thường trú" beats "Xóa đăng ký thường trú" and the "có yếu tố nước ngoài" variant;
* the level citizens deal with (commune, then province, before ministry-level variants);
* the small "popular" list of synonyms.yml (the most-asked procedures);
* a little of the engine's own relevance score, to break near-ties.

The weights below were set on tests/portal/search_queries.yml and checked on queries outside it;
they are general features, no query is special-cased.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from portal.search.query import ParsedQuery

W_COVERAGE = 4.0
W_PHRASE = 2.0
W_EXTRA = 1.2
W_EXACT = 0.5  # the whole reading appears word for word in the name
W_ENGINE = 0.4
LEVEL_BONUS = {"cap xa": 0.35, "cap tinh": 0.15}
POPULAR_BONUS = 0.5
FIELD_MATCH_CREDIT = 0.8  # a query word found only in the field (lĩnh vực) counts partly
# Candidate retrieval: words in more than COMMON_TERM_SHARE of names are left out (when rarer
# ones exist); the rest, rarest first, until their postings reach RETRIEVAL_BUDGET_SHARE.
COMMON_TERM_SHARE = 0.2
RETRIEVAL_BUDGET_SHARE = 0.4
MIN_RETRIEVAL_TERMS = 2
MAX_RETRIEVAL_TERMS = 8


@dataclass(frozen=True)
class Candidate:
    """A procedure an engine retrieved, with the keys the ranking compares against."""

    code: str
    name: str
    field: str
    level: str
    name_key: str
    field_key: str
    level_key: str
    engine_score: float = 0.0

    @classmethod
    def from_row(cls, row: Any, relevance: float) -> Candidate:
        """From an index row that has the key columns (both engines store the same ones)."""
        return cls(
            code=row.code,
            name=row.name,
            field=row.field,
            level=row.level,
            name_key=row.name_key,
            field_key=row.field_key,
            level_key=row.level_key,
            engine_score=float(relevance or 0.0),
        )


@dataclass(frozen=True)
class NameProfile:
    """A procedure name prepared for comparison (computed once per name and cached)."""

    tokens: tuple[str, ...]
    words: frozenset[str]
    pairs: frozenset[tuple[str, str]]
    weight: float  # sum of the IDF of its distinct words
    text: str  # " token token " with padding, for contiguous-phrase tests


class TermStats:
    """Document frequencies of folded words over procedure names (for IDF weights)."""

    def __init__(self, doc_count: int, name_df: dict[str, int], field_terms: frozenset[str]) -> None:
        self.doc_count = doc_count
        self.name_df = name_df
        self.field_terms = field_terms
        self._idf = {t: self._compute_idf(df) for t, df in name_df.items()}
        self._unknown_idf = self._compute_idf(0)
        self._profiles: dict[str, NameProfile] = {}

    @classmethod
    def from_keys(cls, rows: Iterable[tuple[str, str]]) -> TermStats:
        name_df: Counter[str] = Counter()
        field_terms: set[str] = set()
        count = 0
        for name_key, field_key in rows:
            count += 1
            name_df.update(set(name_key.split()))
            field_terms.update(field_key.split())
        return cls(count, dict(name_df), frozenset(field_terms))

    def _compute_idf(self, df: int) -> float:
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    def known(self, term: str) -> bool:
        return term in self._idf or term in self.field_terms

    def profile(self, name_key: str) -> NameProfile:
        """The prepared form of a name key; cached, the catalog bounds the cache's size."""
        prof = self._profiles.get(name_key)
        if prof is None:
            tokens = tuple(name_key.split())
            words = frozenset(tokens)
            prof = NameProfile(
                tokens, words, frozenset(pairwise(tokens)), sum(self.idf(t) for t in words), f" {name_key} "
            )
            self._profiles[name_key] = prof
        return prof

    def retrieval_terms(self, query: ParsedQuery) -> tuple[str, ...]:
        """Name words to retrieve candidates with: rarest first, within a postings budget.

        Rare words carry the match; each common word ("cấp", "đăng ký", "hộ") only adds
        thousands of rows for the engine to score, and the cost grows with the catalog. Words
        are taken in rarity order until their document frequencies would pass
        ``RETRIEVAL_BUDGET_SHARE`` of the catalog (at least ``MIN_RETRIEVAL_TERMS`` words).
        The ranking still compares every query word with each candidate.
        """
        ordered = sorted((t for t in dict.fromkeys(query.terms) if t in self.name_df), key=self.name_df.__getitem__)
        common = COMMON_TERM_SHARE * self.doc_count
        ordered = [t for t in ordered if self.name_df[t] <= common] or ordered
        budget = RETRIEVAL_BUDGET_SHARE * self.doc_count
        chosen: list[str] = []
        postings = 0
        for term in ordered[:MAX_RETRIEVAL_TERMS]:
            df = self.name_df[term]
            if len(chosen) >= MIN_RETRIEVAL_TERMS and postings + df > budget:
                break
            chosen.append(term)
            postings += df
        return tuple(chosen)


@dataclass(frozen=True)
class PreparedVariant:
    """One reading of the query, with its weights computed once for all candidates."""

    words: dict[str, float]  # distinct known word -> IDF
    total: float
    pairs: frozenset[tuple[str, str]]
    text: str  # " w1 w2 ... " for the contiguous-phrase test

    @classmethod
    def of(cls, variant: Sequence[str], stats: TermStats) -> PreparedVariant | None:
        known = [t for t in variant if stats.known(t)]
        if not known:
            return None
        weights = {t: stats.idf(t) for t in known}  # distinct words; order kept for pairs
        return cls(weights, sum(weights.values()), frozenset(pairwise(known)), f" {' '.join(known)} ")


def _variant_score(variant: PreparedVariant, cand: Candidate, stats: TermStats) -> float:
    name = stats.profile(cand.name_key)
    field_words = cand.field_key.split()
    got = 0.0
    in_name = 0.0
    for term, weight in variant.words.items():
        if term in name.words:
            got += weight
            in_name += weight
        elif term in field_words:
            got += FIELD_MATCH_CREDIT * weight
    coverage = got / variant.total
    phrase = len(variant.pairs & name.pairs) / len(variant.pairs) if variant.pairs else coverage
    extra = (name.weight - in_name) / name.weight if name.weight else 0.0
    exact = W_EXACT if len(variant.words) > 1 and variant.text in name.text else 0.0
    return W_COVERAGE * coverage + W_PHRASE * phrase - W_EXTRA * extra + exact


def level_bonus(level_key: str) -> float:
    """Prefer the level citizens deal with: the best level the procedure is handled at."""
    return max((bonus for level, bonus in LEVEL_BONUS.items() if level in level_key), default=0.0)


def score_candidate(
    variants: Sequence[PreparedVariant],
    cand: Candidate,
    stats: TermStats,
    popular: frozenset[str],
    best_engine_score: float,
) -> float:
    """The final score of one candidate (higher is better; 0 means unrelated)."""
    match = max((_variant_score(v, cand, stats) for v in variants), default=0.0)
    if match <= 0.0:
        return 0.0
    engine = cand.engine_score / best_engine_score if best_engine_score > 0 else 0.0
    popularity = POPULAR_BONUS if cand.code in popular else 0.0
    return match + level_bonus(cand.level_key) + popularity + W_ENGINE * engine


def fuzzy_score(cand: Candidate, popular: frozenset[str], best_engine_score: float) -> float:
    """Score of a candidate found by typo fallback only (no query word matched exactly)."""
    engine = cand.engine_score / best_engine_score if best_engine_score > 0 else 0.0
    popularity = POPULAR_BONUS if cand.code in popular else 0.0
    return W_COVERAGE * engine + level_bonus(cand.level_key) + popularity


def rank(
    query: ParsedQuery, candidates: Sequence[Candidate], stats: TermStats, popular: Iterable[str]
) -> list[tuple[Candidate, float]]:
    """Candidates ordered best first; those sharing no word with the query are left out."""
    variants = [p for p in (PreparedVariant.of(v, stats) for v in query.variants) if p is not None]
    popular_set = frozenset(popular)
    best = max((c.engine_score for c in candidates), default=0.0)
    if not variants:  # only misspelt words: the engine's fuzzy relevance is all there is
        scored = [(c, fuzzy_score(c, popular_set, best)) for c in candidates]
    else:
        scored = [(c, score_candidate(variants, c, stats, popular_set, best)) for c in candidates]
    scored = [(c, s) for c, s in scored if s > 0.0]
    scored.sort(key=lambda cs: (-cs[1], cs[0].code))
    return scored

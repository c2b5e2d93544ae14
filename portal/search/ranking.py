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
* the basic procedure: a name opening with an action the query did not ask for ("Thu hồi…",
  "Gia hạn…") or narrowed to a special case it did not mention ("… có yếu tố nước ngoài", "…
  lưu động") ranks after the basic one (``actions`` and ``qualifiers`` in synonyms.yml);
* the level citizens deal with (commune, then province, before ministry-level variants);
* the small "popular" list of synonyms.yml (the most-asked procedures);
* a little BM25 relevance (:meth:`TermStats.relevance`, the same on every engine), to break near-ties.

Each hit also says which query words it matched and whether they make it ``confident``: enough
distinctive content words of the message support it for the caller to answer without asking.

The weights below were set on tests/portal/search_queries.yml and checked on queries outside it;
they are general features, no query is special-cased.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from portal.search.query import ParsedQuery
from portal.search.stats import COMMON_TERM_SHARE, Actions, TermStats

__all__ = ["COMMON_TERM_SHARE", "Candidate", "PreparedVariant", "Scored", "TermStats", "rank"]

W_COVERAGE = 4.0
W_PHRASE = 2.0
W_EXTRA = 1.2
W_EXACT = 0.5  # the whole reading appears word for word in the name
W_ACTION = 1.0  # the name opens with an action the query did not ask for ("Thu hồi …", "Gia hạn …")
W_QUALIFIER = 0.6  # the name is a special case the query did not ask for ("… có yếu tố nước ngoài")
W_ENGINE = 0.4
LEVEL_BONUS = {"cap xa": 0.35, "cap tinh": 0.15}
POPULAR_BONUS = 0.5
FIELD_MATCH_CREDIT = 0.8  # a query word found only in the field (lĩnh vực) counts partly
# A hit is *confident* (the caller may answer it without asking) when the message's content words
# support it: at least CONFIDENT_WORDS distinctive words matched (words in more than
# COMMON_TERM_SHARE of names, such as "cấp", "đăng ký", "giấy", are not distinctive), carrying at
# least CONFIDENT_SUPPORT of rarity (IDF); they cover at least CONFIDENT_QUERY_SHARE of the reading,
# and either most of the reading (CONFIDENT_COVERAGE) or most of the name (CONFIDENT_NAME_SHARE).
# Measured on tests/portal/search_queries.yml: long official names are rarely covered, long polite
# messages rarely are, but one of the two is for a supported answer; one word ("mua") never is.
CONFIDENT_WORDS = 2
CONFIDENT_SUPPORT = 4.0
CONFIDENT_QUERY_SHARE = 0.34
CONFIDENT_COVERAGE = 0.6
CONFIDENT_NAME_SHARE = 0.5


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
class PreparedVariant:
    """One reading of the query, with its weights computed once for all candidates."""

    words: dict[str, float]  # distinct known word -> weight (IDF x the factor of its phrase)
    asked: frozenset[str]  # every word of the reading, known to the catalog or not
    total: float
    pairs: frozenset[tuple[str, str]]
    text: str  # " w1 w2 ... " for the contiguous-phrase test
    # (word, weight, support it brings: its IDF if distinctive else 0), computed once per query
    terms: tuple[tuple[str, float, float], ...] = ()

    @classmethod
    def of(cls, variant: Sequence[str], stats: TermStats, factors: Sequence[float] = ()) -> PreparedVariant | None:
        known = [(t, f) for t, f in zip(variant, factors or [1.0] * len(variant), strict=True) if stats.known(t)]
        if not known:
            return None
        weights: dict[str, float] = {}  # distinct words; order kept for pairs
        for term, factor in known:
            weights[term] = max(weights.get(term, 0.0), stats.idf(term) * factor)
        words = [t for t, _ in known]
        text = f" {' '.join(words)} "
        terms = tuple((t, w, stats.idf(t) if stats.distinctive(t) else 0.0) for t, w in weights.items())
        return cls(weights, frozenset(variant), sum(weights.values()), frozenset(pairwise(words)), text, terms)


@dataclass(frozen=True)
class Match:
    """How one reading of the query matches one candidate."""

    score: float
    matched: tuple[str, ...]  # query words found in the name (or only in the field)
    support: float  # IDF of the matched distinctive words
    distinctive: int  # how many distinctive words matched
    name_share: float  # share of the name (by IDF) the query covers
    query_share: float  # share of the reading (by IDF) found in the procedure

    @property
    def confident(self) -> bool:
        return (
            self.distinctive >= CONFIDENT_WORDS
            and self.support >= CONFIDENT_SUPPORT
            and self.query_share >= CONFIDENT_QUERY_SHARE
            and (self.query_share >= CONFIDENT_COVERAGE or self.name_share >= CONFIDENT_NAME_SHARE)
        )


NO_MATCH = Match(0.0, (), 0.0, 0, 0.0, 0.0)


@dataclass(frozen=True)
class Scored:
    """A ranked candidate: final score, the query words it matched, whether they support it."""

    candidate: Candidate
    score: float
    matched: tuple[str, ...] = ()
    confident: bool = False


def _unasked(cues: tuple[frozenset[str], ...], variant: PreparedVariant) -> bool:
    return not any(cue <= variant.asked for cue in cues)


def _variant_match(
    variant: PreparedVariant,
    cand: Candidate,
    stats: TermStats,
    action: tuple[frozenset[str], ...] | None = None,
    qualifiers: tuple[tuple[frozenset[str], ...], ...] = (),
) -> Match:
    name = stats.profile(cand.name_key)
    field_words = stats.field_words(cand.field_key)
    name_words = name.words
    got = in_name = support = 0.0
    distinctive = 0
    matched: list[str] = []
    for term, weight, rarity in variant.terms:
        if term in name_words:
            credit = 1.0
            in_name += weight
        elif term in field_words:
            credit = FIELD_MATCH_CREDIT
        else:
            continue
        got += credit * weight
        matched.append(term)
        if rarity:
            support += credit * rarity
            distinctive += 1
    coverage = got / variant.total
    phrase = len(variant.pairs & name.pairs) / len(variant.pairs) if variant.pairs else coverage
    name_share = in_name / name.weight if name.weight else 0.0
    exact = W_EXACT if len(variant.words) > 1 and variant.text in name.text else 0.0
    score = W_COVERAGE * coverage + W_PHRASE * phrase - W_EXTRA * (1.0 - name_share) + exact
    if action is not None and _unasked(action, variant):
        score -= W_ACTION
    if any(_unasked(cues, variant) for cues in qualifiers):
        score -= W_QUALIFIER
    return Match(score, tuple(matched), support, distinctive, name_share, coverage)


def level_bonus(level_key: str) -> float:
    """Prefer the level citizens deal with: the best level the procedure is handled at."""
    return max((bonus for level, bonus in LEVEL_BONUS.items() if level in level_key), default=0.0)


def score_candidate(
    variants: Sequence[PreparedVariant],
    cand: Candidate,
    stats: TermStats,
    popular: frozenset[str],
    best_engine_score: float,
    actions: Actions = (),
    qualifiers: Actions = (),
) -> Scored:
    """The final score of one candidate (higher is better; 0 means unrelated)."""
    action, special = stats.special_cases(cand.name_key, actions, qualifiers)
    match = max(
        (_variant_match(v, cand, stats, action, special) for v in variants), key=lambda m: m.score, default=NO_MATCH
    )
    if match.score <= 0.0:
        return Scored(cand, 0.0)
    engine = cand.engine_score / best_engine_score if best_engine_score > 0 else 0.0
    popularity = POPULAR_BONUS if cand.code in popular else 0.0
    score = match.score + level_bonus(cand.level_key) + popularity + W_ENGINE * engine
    return Scored(cand, score, match.matched, match.confident)


def fuzzy_score(cand: Candidate, popular: frozenset[str], best_engine_score: float) -> Scored:
    """A candidate found by typo fallback only (no query word matched exactly): never confident."""
    engine = cand.engine_score / best_engine_score if best_engine_score > 0 else 0.0
    popularity = POPULAR_BONUS if cand.code in popular else 0.0
    return Scored(cand, W_COVERAGE * engine + level_bonus(cand.level_key) + popularity)


def rank(
    query: ParsedQuery,
    candidates: Sequence[Candidate],
    stats: TermStats,
    popular: Iterable[str],
    actions: Actions = (),
    qualifiers: Actions = (),
) -> list[Scored]:
    """Candidates ordered best first; those sharing no word with the query are left out."""
    prepared = (PreparedVariant.of(v, stats, query.variant_factors(i)) for i, v in enumerate(query.variants))
    variants = [p for p in prepared if p is not None]
    popular_set = frozenset(popular)
    best = max((c.engine_score for c in candidates), default=0.0)
    if not variants:  # only misspelt words: the engine's fuzzy relevance is all there is
        scored = [fuzzy_score(c, popular_set, best) for c in candidates]
    else:
        scored = [score_candidate(variants, c, stats, popular_set, best, actions, qualifiers) for c in candidates]
    scored = [s for s in scored if s.score > 0.0]
    scored.sort(key=lambda s: (-s.score, s.candidate.code))
    return scored

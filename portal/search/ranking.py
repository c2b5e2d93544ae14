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
from portal.search.typos import TypoCorrector

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
# Candidate retrieval: words in more than COMMON_TERM_SHARE of names are left out (when rarer
# ones exist); the rest, rarest first, until their postings reach RETRIEVAL_BUDGET_SHARE.
COMMON_TERM_SHARE = 0.2
RETRIEVAL_BUDGET_SHARE = 0.4
MIN_RETRIEVAL_TERMS = 2
MAX_RETRIEVAL_TERMS = 8
# Adjacent word pairs of the readings also retrieve, as phrases ("khai tu", "giam ho"): made of
# everyday words, they are left out of the word list, yet as a phrase they name one procedure.
MAX_RETRIEVAL_PHRASES = 4
# The shared relevance (:meth:`TermStats.relevance`): BM25 with the usual constants.
BM25_K1 = 1.2
BM25_B = 0.75
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


# (name opening or phrase, cues): see the "actions" and "qualifiers" sections of synonyms.yml.
Actions = Sequence[tuple[tuple[str, ...], tuple[frozenset[str], ...]]]


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

    @property
    def opening(self) -> tuple[str, ...]:
        """The first words, past the "Thủ tục" many names start with."""
        start = 2 if self.tokens[:2] == ("thu", "tuc") else 0
        return self.tokens[start : start + 4]


class TermStats:
    """Document frequencies of folded words over procedure names (for IDF weights)."""

    def __init__(
        self, doc_count: int, name_df: dict[str, int], field_terms: frozenset[str], mean_length: float = 10.0
    ) -> None:
        self.doc_count = doc_count
        self.mean_length = mean_length or 1.0
        self.name_df = name_df
        self.field_terms = field_terms
        self._idf = {t: self._compute_idf(df) for t, df in name_df.items()}
        self._unknown_idf = self._compute_idf(0)
        self._common_df = COMMON_TERM_SHARE * doc_count
        self._profiles: dict[str, NameProfile] = {}
        self._fields: dict[str, frozenset[str]] = {}
        self._special: dict[tuple[str, int, int], tuple[Any, Any]] = {}
        self._corrector: TypoCorrector | None = None

    @classmethod
    def from_keys(cls, rows: Iterable[tuple[str, str]]) -> TermStats:
        name_df: Counter[str] = Counter()
        field_terms: set[str] = set()
        count = length = 0
        for name_key, field_key in rows:
            count += 1
            tokens = name_key.split()
            length += len(tokens)
            name_df.update(set(tokens))
            field_terms.update(field_key.split())
        return cls(count, dict(name_df), frozenset(field_terms), length / count if count else 10.0)

    def _compute_idf(self, df: int) -> float:
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))

    def idf(self, term: str) -> float:
        return self._idf.get(term, self._unknown_idf)

    def known(self, term: str) -> bool:
        return term in self._idf or term in self.field_terms

    def distinctive(self, term: str) -> bool:
        """A word that can identify a procedure (not one of the catalog's everyday words)."""
        return self.name_df.get(term, 0) <= self._common_df

    def corrected(self, query: ParsedQuery) -> ParsedQuery:
        """The query with misspelt words replaced by the catalog word one edit away (if any)."""
        if self._corrector is None:
            frequencies = dict.fromkeys(self.field_terms, 1)
            frequencies.update(self.name_df)
            self._corrector = TypoCorrector(frequencies)
        fixes = {t: c for t in query.terms if not self.known(t) and (c := self._corrector.correct(t))}
        if not fixes:
            return query
        variants = tuple(tuple(fixes.get(w, w) for w in v) for v in query.variants)
        terms = tuple(dict.fromkeys(w for v in variants for w in v))
        return ParsedQuery(query.text, query.code, variants, terms, query.factors)

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

    def relevance(self, name_key: str, terms: Sequence[str]) -> float:
        """BM25 of a name for the retrieval terms (words, and "w1 w2" phrases found as such).

        Computed here rather than taken from the engine, so that the same pool is ordered the same
        way on every engine (PostgreSQL's ts_rank knows no word rarity).
        """
        name = self.profile(name_key)
        norm = 1.0 - BM25_B + BM25_B * len(name.tokens) / self.mean_length
        total = 0.0
        for term in terms:
            if " " in term:
                if f" {term} " not in name.text:
                    continue
                weight = max(self.idf(w) for w in term.split())
            elif term in name.words:
                weight = self.idf(term)
            else:
                continue
            total += weight * (BM25_K1 + 1.0) / (1.0 + BM25_K1 * norm)
        return total

    def field_words(self, field_key: str) -> frozenset[str]:
        """The words of a field (lĩnh vực) key; cached, there are a few hundred fields."""
        words = self._fields.get(field_key)
        if words is None:
            words = self._fields[field_key] = frozenset(field_key.split())
        return words

    def special_cases(self, name_key: str, actions: Actions, qualifiers: Actions) -> tuple[Any, Any]:
        """(action cues, qualifier cues) of a name, see :func:`name_action`; cached per name."""
        key = (name_key, id(actions), id(qualifiers))
        found = self._special.get(key)
        if found is None:
            name = self.profile(name_key)
            found = (name_action(name, actions) if actions else None, name_qualifiers(name, qualifiers))
            self._special[key] = found
        return found

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
        return tuple(chosen) + self._retrieval_phrases(query, set(chosen))

    def _retrieval_phrases(self, query: ParsedQuery, chosen: set[str]) -> tuple[str, ...]:
        """Word pairs ("w1 w2") of the readings that bring a word the word list left out; rarest first."""
        common = COMMON_TERM_SHARE * self.doc_count
        pairs: dict[str, int] = {}
        for variant in query.variants:
            for first, second in pairwise(variant):
                if first == second or first not in self.name_df or second not in self.name_df:
                    continue
                if {first, second} <= chosen or min(self.name_df[first], self.name_df[second]) > common:
                    continue
                pairs.setdefault(f"{first} {second}", self.name_df[first] + self.name_df[second])
        return tuple(sorted(pairs, key=pairs.__getitem__)[:MAX_RETRIEVAL_PHRASES])


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


def name_action(name: NameProfile, actions: Actions) -> tuple[frozenset[str], ...] | None:
    """The cues of the action the name opens with ("thu hồi", "gia hạn"), None for a basic procedure."""
    opening = name.opening
    best: tuple[tuple[str, ...], tuple[frozenset[str], ...]] | None = None
    for words, cues in actions:
        if opening[: len(words)] == words and (best is None or len(words) > len(best[0])):
            best = (words, cues)
    return best[1] if best else None


def name_qualifiers(name: NameProfile, qualifiers: Actions) -> tuple[tuple[frozenset[str], ...], ...]:
    """The cues of every special case the name is narrowed to ("có yếu tố nước ngoài")."""
    return tuple(cues for words, cues in qualifiers if f" {' '.join(words)} " in name.text)


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

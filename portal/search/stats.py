"""What the ranking knows about the indexed catalog: word rarity, name profiles, retrieval terms.

:class:`TermStats` is built once per database from the index keys (name and field of every
procedure) and cached by the engine. It weighs words (IDF), picks the words and phrases the engine
retrieves with, computes the relevance every engine shares (BM25), corrects misspelt query words
against the catalog's vocabulary, and tells which names are special cases (an action or a
qualifier the query may not ask for; see ``synonyms.yml``).
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

# (name opening or phrase, cues): see the "actions" and "qualifiers" sections of synonyms.yml.
Actions = Sequence[tuple[tuple[str, ...], tuple[frozenset[str], ...]]]


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

"""Lexical matching of a citizen's free-text question against published FAQ variants.

Used by the assistant before retraining (a FAQ published a minute ago is not in the model yet).
Both sides are folded (no accents, lower case) because citizens often type without diacritics.
The score mixes two Dice coefficients, so it is in [0, 1]:

* words (syllables and syllable pairs, since Vietnamese words are mostly two syllables), weighted
  by how rare they are across the published FAQs: "vneid", "mức 2" or "khai sinh" decide,
  "có", "không", "làm" barely count;
* character trigrams, unweighted, robust to typos and run-together words.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass

from common.text.normalize import fold_accents, normalize_text
from console.models import Faq

_TOKEN = re.compile(r"[a-z0-9]+")
WORD_WEIGHT = 0.6


@dataclass(frozen=True)
class Match:
    faq: Faq
    score: float
    matched_question: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold_accents(normalize_text(text)))


def _words(text: str) -> set[str]:
    words = tokens(text)
    return set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}


def _trigrams(text: str) -> set[str]:
    words = tokens(text)
    joined = f" {' '.join(words)} "
    return {joined[i : i + 3] for i in range(len(joined) - 2)} if words else set()


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


class MatchIndex:
    """Word weights (inverse document frequency over FAQs) for one set of published FAQs."""

    def __init__(self, faqs: list[Faq]) -> None:
        self.faqs = faqs
        self.texts = {faq.key: [faq.title, *(faq.questions or [])] for faq in faqs}
        frequency: Counter[str] = Counter()
        for texts in self.texts.values():
            frequency.update(set().union(*(_words(t) for t in texts)))
        count = max(len(faqs), 1)
        self.weights = {word: math.log(1 + count / df) for word, df in frequency.items()}
        # Words no FAQ uses weigh like a word found in a single FAQ: they dilute the score.
        self.unknown_weight = math.log(1 + count)

    def _weight(self, words: set[str]) -> float:
        return sum(self.weights.get(w, self.unknown_weight) for w in words)

    def similarity(self, query: str, candidate: str) -> float:
        """Accent-insensitive similarity in [0, 1]; 1.0 for the same words in the same order."""
        q_words, c_words = _words(query), _words(candidate)
        total = self._weight(q_words) + self._weight(c_words)
        word_score = 2 * self._weight(q_words & c_words) / total if total else 0.0
        return WORD_WEIGHT * word_score + (1 - WORD_WEIGHT) * _dice(_trigrams(query), _trigrams(candidate))

    def best(self, query: str, limit: int = 3, min_score: float = 0.35) -> list[Match]:
        """The FAQs whose best variant (or title) scores at least ``min_score``, best first."""
        results: list[Match] = []
        for faq in self.faqs:
            score, text = max(((self.similarity(query, t), t) for t in self.texts[faq.key]), default=(0.0, ""))
            if score >= min_score:
                results.append(Match(faq=faq, score=round(score, 3), matched_question=text))
        results.sort(key=lambda m: (-m.score, m.faq.key))
        return results[:limit]


def best_matches(query: str, faqs: list[Faq], limit: int = 3, min_score: float = 0.35) -> list[Match]:
    return MatchIndex(faqs).best(query, limit, min_score)


def similarity(query: str, candidate: str) -> float:
    """Unweighted similarity (every word weighs the same), for one pair of texts."""
    return WORD_WEIGHT * _dice(_words(query), _words(candidate)) + (1 - WORD_WEIGHT) * _dice(
        _trigrams(query), _trigrams(candidate)
    )

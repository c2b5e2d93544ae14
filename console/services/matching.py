"""Lexical matching of a citizen's free-text question against published FAQ variants.

Used by the assistant before retraining (a FAQ published a minute ago is not in the model yet).
Both sides are folded (no accents, lower case) because citizens often type without diacritics.
The score mixes word overlap (syllables and syllable pairs, since Vietnamese words are mostly two
syllables) with character-trigram overlap (robust to typos and run-together words); both are Dice
coefficients, so the score is in [0, 1].
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bot.text.normalize import fold_accents, normalize_text
from console.models import Faq

_TOKEN = re.compile(r"[a-z0-9]+")
WORD_WEIGHT = 0.5


@dataclass(frozen=True)
class Match:
    faq: Faq
    score: float
    matched_question: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold_accents(normalize_text(text)))


def _features(text: str) -> tuple[set[str], set[str]]:
    words = tokens(text)
    word_set = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
    joined = f" {' '.join(words)} "
    trigrams = {joined[i : i + 3] for i in range(len(joined) - 2)} if words else set()
    return word_set, trigrams


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def similarity(query: str, candidate: str) -> float:
    """Accent-insensitive similarity in [0, 1]; 1.0 for the same words in the same order."""
    q_words, q_grams = _features(query)
    c_words, c_grams = _features(candidate)
    return WORD_WEIGHT * _dice(q_words, c_words) + (1 - WORD_WEIGHT) * _dice(q_grams, c_grams)


def best_matches(query: str, faqs: list[Faq], limit: int = 3, min_score: float = 0.35) -> list[Match]:
    """The FAQs whose best variant (or title) scores at least ``min_score``, best first."""
    results: list[Match] = []
    for faq in faqs:
        best = max(((similarity(query, text), text) for text in [faq.title, *(faq.questions or [])]), default=(0.0, ""))
        if best[0] >= min_score:
            results.append(Match(faq=faq, score=round(best[0], 3), matched_question=best[1]))
    results.sort(key=lambda m: (-m.score, m.faq.key))
    return results[:limit]

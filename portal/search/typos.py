"""Typo tolerance for query words: one edit away from a catalog word, on the accent-folded form.

Citizens drop letters and tone marks ("đăg ký kết hôn", "thuong tru", "khai sih"). After accent
folding most of these are one edit (insertion, deletion, substitution, swap of neighbours) away
from a word of the catalog. A word is corrected only when

* it is not a catalog word itself (the engines would match it as typed), and
* it is not a Vietnamese syllable (underthesea's Viet74K dictionary, folded): "tuần" folds to
  "tuan", a real word that must not be turned into a catalog word it resembles;

the correction is the catalog word at distance 1 that most procedure names use (the likeliest
meaning). Candidates are found through a deletion index (symmetric delete), so a lookup costs a
handful of dictionary probes whatever the catalog's size.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from common.text.normalize import fold_accents

MIN_TYPO_CHARS = 3
# Inside underthesea's package; read as a data file (importing underthesea is slow and touches logging).
_DICTIONARY = ("corpus", "data", "Viet74K.txt")


@lru_cache(maxsize=1)
def vietnamese_syllables() -> frozenset[str]:
    """Accent-free syllables of the Vietnamese dictionary shipped with underthesea (empty if absent)."""
    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations)), *_DICTIONARY)
    if not path.exists():
        return frozenset()
    syllables: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            syllables.update(line.lower().split())
    return frozenset(fold_accents(s) for s in syllables if s.isalpha())


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Damerau-Levenshtein distance <= 1 (one insertion, deletion, substitution or adjacent swap)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
            return False
        i, j = diffs
        return a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class TypoCorrector:
    """Maps a misspelt folded word to the most used catalog word one edit away."""

    def __init__(self, frequencies: Mapping[str, int], syllables: Iterable[str] | None = None) -> None:
        self._freq = dict(frequencies)
        self._syllables = frozenset(vietnamese_syllables() if syllables is None else syllables)
        self._index: dict[str, list[str]] = {}
        for word in self._freq:
            if len(word) >= MIN_TYPO_CHARS and word.isalpha():
                for key in _deletions(word) | {word}:
                    self._index.setdefault(key, []).append(word)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The catalog word meant by ``word``, or None when it is fine as typed or nothing is close."""
        if word in self._cache:
            return self._cache[word]
        result = None
        if len(word) >= MIN_TYPO_CHARS and word.isalpha() and word not in self._freq and word not in self._syllables:
            candidates = {c for key in _deletions(word) | {word} for c in self._index.get(key, ())}
            close = [c for c in candidates if within_one_edit(word, c)]
            if close:
                result = max(close, key=lambda c: (self._freq[c], c))
        if len(self._cache) < 65536:
            self._cache[word] = result
        return result

"""Typo tolerance: a misspelt or tone-less syllable is mapped to a known one.

Citizens type "đăg ký", "cân giấy tờ", "nhiu tiền". Such syllables are unknown to every model
feature and to the gazetteer, so "đăg ký kết hôn" names no procedure. :class:`SpellingCorrector`
maps an unknown syllable to the most likely known one:

* the vocabulary is the catalog's (procedure, field and location names), the hand-written NLU
  examples and the lexicon, with counts (``bot/nlu/vocabulary.json``, written by
  ``scripts/generate_nlu_vocabulary.py``); corrections only ever produce one of these;
* a syllable of the vocabulary or of underthesea's general dictionary (Viet74K: "cuối", "bệnh" are
  words, not typos), a lexicon key ("đky", "ko") and a tone-less syllable whose accent-free form is
  known ("dang", "som") are left alone: the accent-free features already cover unaccented typing;
* a syllable with marks that is unknown as written ("cân") takes the known spelling with the same
  accent-free form, preferring one that only adds or changes the tone mark ("cần");
* otherwise the candidates are the known accent-free forms within one edit (insertion, deletion,
  substitution or swap of neighbours) of the accent-free input, ranked by frequency, and by how
  well their marks agree with what was typed ("đăg" -> "đăng"); a tone-less input gets the
  tone-less candidate ("dag" -> "dang");
* capitalised words (names), words with letters Vietnamese does not use (f, j, w, z: English,
  teencode) or cannot end in ("yes"), and words shorter than three letters are never changed.

Only the *syllables the NLU reads* change (lemmas, underthesea's input, gazetteer matching);
message text and entity offsets stay as sent (see :mod:`bot.nlu.segmentation`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from common.text.normalize import fold_accents, has_diacritics, normalize_text, squash_elongation
from common.text.teencode import DEFAULT_LEXICON_PATH, load_lexicon
from common.text.underthesea_import import import_underthesea

VOCABULARY_FILE = Path(__file__).resolve().parent / "vocabulary.json"
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")
_FOREIGN_LETTERS = frozenset("fjwz")
# No Vietnamese syllable ends in these, nor does a dropped letter leave one there: "yes", "visa".
_FOREIGN_FINALS = frozenset("bdklqrsvx")
_WORD = re.compile(r"[^\W\d_]+")
MIN_LENGTH = 3
# A candidate that keeps every letter typed (only the tone differs) beats one that changes a
# vowel's shape ("cân" -> "cần" rather than "căn") unless the latter is this many times as common.
SAME_LETTERS_BONUS = 4.0


def _without_tone(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class SpellingCorrector:
    """Maps unknown syllables to known ones (see the module docstring)."""

    def __init__(self, counts: Mapping[str, int], keep: Iterable[str] = ()) -> None:
        """``counts``: known syllable (lower case, NFC) -> frequency; ``keep``: never corrected
        (nor, when typed without accents, anything that folds like them)."""
        self._counts = {syllable.lower(): int(count) for syllable, count in counts.items() if count > 0}
        self._keep = {word.lower() for word in keep}
        self._keep_folded = {fold_accents(word) for word in self._keep}
        self._spellings: dict[str, list[str]] = defaultdict(list)  # folded -> accented spellings
        self._folded_counts: dict[str, int] = defaultdict(int)
        for syllable, count in self._counts.items():
            folded = fold_accents(syllable)
            self._spellings[folded].append(syllable)
            self._folded_counts[folded] += count
        self._near: dict[str, set[str]] = defaultdict(set)  # deletion key -> folded forms
        for folded in self._folded_counts:
            self._near[folded].add(folded)
            for key in _deletions(folded):
                self._near[key].add(folded)

    def __len__(self) -> int:
        return len(self._counts)

    def correct(self, syllable: str) -> str:
        """The known syllable ``syllable`` stands for, lower case; ``syllable`` itself if none."""
        return _cached_correct(self, syllable)

    def _correct(self, syllable: str) -> str:
        lower = squash_elongation(syllable.lower())
        if lower in self._counts or lower in self._keep:
            return syllable
        folded = fold_accents(lower)
        if (
            len(folded) < MIN_LENGTH
            or not folded.isalpha()
            or not folded.isascii()
            or syllable[:1].isupper()
            or _FOREIGN_LETTERS & set(folded)
            or folded[-1] in _FOREIGN_FINALS
        ):
            return syllable
        accented = has_diacritics(lower)
        if not accented and (folded in self._folded_counts or folded in self._keep_folded):
            return syllable
        if accented and folded in self._spellings:
            return self._best_spelling(lower, folded)
        candidates = {c for key in (folded, *_deletions(folded)) for c in self._near.get(key, ())}
        candidates = {c for c in candidates if within_one_edit(folded, c)}
        if not candidates:
            return syllable
        best = max(candidates, key=lambda c: (self._folded_counts[c], c))
        return self._best_spelling(lower, best) if accented else best

    def _best_spelling(self, typed: str, folded: str) -> str:
        """The accented spelling of ``folded`` closest to what was typed, weighted by frequency."""
        bare = _without_tone(typed)

        def score(spelling: str) -> tuple[float, str]:
            agrees = _without_tone(spelling) == bare or set(bare) <= set(_without_tone(spelling))
            return self._counts[spelling] * (SAME_LETTERS_BONUS if agrees else 1.0), spelling

        return max(self._spellings[folded], key=score)


@lru_cache(maxsize=65536)
def _cached_correct(corrector: SpellingCorrector, syllable: str) -> str:
    return corrector._correct(syllable)


def load_counts(path: Path = VOCABULARY_FILE) -> dict[str, int]:
    """Syllable counts from the generated vocabulary file (empty if it does not exist yet)."""
    if not path.is_file():
        return {}
    return {str(k): int(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["syllables"].items()}


def dictionary_syllables() -> set[str]:
    """Lower-case syllables of underthesea's Viet74K word list (installed with underthesea)."""
    path = Path(import_underthesea().__file__).parent / "corpus" / "data" / "Viet74K.txt"
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).lower()
    return {normalize_text(syllable) for syllable in set(_WORD.findall(text))}


@lru_cache(maxsize=4)
def load_corrector(
    path: str = str(VOCABULARY_FILE), lexicon_path: str = str(DEFAULT_LEXICON_PATH)
) -> SpellingCorrector:
    """The corrector for the generated vocabulary; dictionary words and lexicon keys are kept (cached)."""
    keep = set(load_lexicon(lexicon_path).expansions) | dictionary_syllables()
    return SpellingCorrector(load_counts(Path(path)), keep=keep)

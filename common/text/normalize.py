"""Vietnamese text normalization shared by every entry point.

Citizens' text arrives in NFC or NFD and with either tone-mark placement ("hoà" / "hòa",
"uỷ" / "ủy"). Everything we store or compare goes through :func:`normalize_text`, which
returns NFC with the traditional placement (the one underthesea also produces), so that one
word always has one spelling. :func:`fold_accents` gives the accent-free key used when citizens
type without diacritics.

All functions keep the length of NFC input unchanged, so character offsets computed on
``unicodedata.normalize("NFC", text)`` stay valid after :func:`normalize_text`.
"""

from __future__ import annotations

import re
import unicodedata

# Combining tone marks (dấu thanh): huyền, sắc, hỏi, ngã, nặng.
_TONE_MARKS = frozenset("\u0300\u0301\u0309\u0303\u0323")
# Vowels that carry a quality mark (â ă ê ô ơ ư) take the tone mark when present.
_MARKED_VOWELS = "âăêôơ"
_PLAIN_VOWELS = "aeiouy"
_ALL_VOWELS = _MARKED_VOWELS + "ư" + _PLAIN_VOWELS
_WORD = re.compile(r"[^\W\d_]+")
# A single syllable (toneless, lower case): initial consonant(s), 1-3 vowels, optional final.
# Anything else (glued scraped words like "NgàyKhông", acronyms, English) is left untouched.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    rf"[{_ALL_VOWELS}]{{1,3}}"
    r"(?:ch|ng|nh|[cmnpt])?"
)


def _split_tone(syllable_nfd: str) -> tuple[str, str | None]:
    """Return the syllable without its tone mark (NFC) and the tone mark, if exactly one."""
    tones = [ch for ch in syllable_nfd if ch in _TONE_MARKS]
    if len(tones) != 1:
        return unicodedata.normalize("NFC", syllable_nfd), None
    base = "".join(ch for ch in syllable_nfd if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), tones[0]


def _tone_position(base: str) -> int | None:
    """Index of the vowel that carries the tone in ``base`` (traditional placement)."""
    lower = base.lower()
    start = 0
    # "qu" and "gi" (before another vowel) are initial consonants, not part of the nucleus.
    is_qu = lower.startswith("qu") and len(lower) > 2
    is_gi = lower.startswith("gi") and len(lower) > 2 and lower[2] in _ALL_VOWELS
    if is_qu or is_gi:
        start = 2
    first = next((i for i in range(start, len(lower)) if lower[i] in _ALL_VOWELS), None)
    if first is None:
        # "gì", "gìn": the i of "gi" is the only vowel.
        return 1 if lower.startswith("gi") else None
    end = first
    while end < len(lower) and lower[end] in _ALL_VOWELS:
        end += 1
    nucleus = range(first, end)
    for i in reversed(nucleus):
        if lower[i] in _MARKED_VOWELS:
            return i
    for i in nucleus:
        if lower[i] == "ư":
            return i
    size = end - first
    if size == 1:
        return first
    if end < len(lower):  # closed syllable: "hoàng", "toán"
        return end - 1
    return first if size == 2 else first + 1  # open: "hòa", "thủy"; "ngoài", "khuỷu"


def _normalize_syllable(match: re.Match[str]) -> str:
    word = match.group(0)
    decomposed = unicodedata.normalize("NFD", word)
    base, tone = _split_tone(decomposed)
    if tone is None:
        return unicodedata.normalize("NFC", word)
    if len(base) != len(word) or not _SYLLABLE.fullmatch(base.lower()):
        return unicodedata.normalize("NFC", word)
    position = _tone_position(base)
    if position is None:
        return unicodedata.normalize("NFC", word)
    marked = unicodedata.normalize("NFC", base[position] + tone)
    return base[:position] + marked + base[position + 1 :]


def normalize_text(text: str) -> str:
    """NFC with one tone-mark convention; length-preserving on NFC input."""
    nfc = unicodedata.normalize("NFC", text)
    return _WORD.sub(_normalize_syllable, nfc)


def fold_accents(text: str) -> str:
    """Lower-case, accent-free form: "Đăng ký" -> "dang ky". Length-preserving on NFC input."""
    nfc = unicodedata.normalize("NFC", text).lower()
    out = []
    for ch in nfc:
        if ch == "đ":
            out.append("d")
            continue
        stripped = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(stripped if len(stripped) == 1 else ch)
    return "".join(out)


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (so it is not typed unaccented)."""
    return fold_accents(text) != unicodedata.normalize("NFC", text).lower()


_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")  # three or more of one letter: "chàooo", "okkk"
# A doubled final vowel: "hii", "nhaa"; not "uu", which is "ưu" typed without accents ("cuu" =
# "cứu"), and not consonants, which loanwords double ("app", "off").
_DOUBLED_END = re.compile(r"([aeioy])\1$")
_HAS_VOWEL = re.compile(r"[aeiouy]")


def squash_elongation(word: str) -> str:
    """One word with letters repeated for emphasis reduced to one: "chàooo" -> "chào", "hii" -> "hi".

    No Vietnamese syllable has three equal letters in a row or ends in a doubled vowel (but "uu"
    for "ưu" typed without accents), so a correctly spelled syllable never changes; digits are
    left alone ("1000"), and so are abbreviations, which have no vowel ("cccd") or two letters ("tt")."""
    if not _HAS_VOWEL.search(fold_accents(word)):
        return word
    word = _ELONGATED.sub(r"\1", word)
    return _DOUBLED_END.sub(r"\1", word) if len(word) > 2 else word

"""Text helpers for the importer: Vietnamese letter classes and glue-safe normalization."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata

from common.text.normalize import normalize_text

_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_VOWELS = "aăâeêioôơuưy"
_LOWER = sorted({unicodedata.normalize("NFC", v + t) for v in _VOWELS for t in _TONES} | set("bcdfghjklmnpqrstvwxzđ"))
# Regex character classes (no ranges: Latin Extended Additional interleaves the cases).
LOWER = "".join(_LOWER)
UPPER = "".join(c.upper() for c in _LOWER)
# Portal words that end a table cell; the next cell is often glued on in lower case
# ("Không có thông tingửi qua...", "Miễn phía) ...").
_CELL_ENDS = re.compile(r"thông tin|Miễn phí|Ngày làm việc|bản chính|bản sao|Số lượng|Mô tả")


def clean_text(text: str | None) -> str:
    """NFC + the project's tone-mark convention, applied per glued word.

    The scraped cells glue words together ("NgàyKhông có thông tinTối đa", "TT-BCALuật");
    normalizing such a run as one syllable would move its tone mark ("NgaỳKhông", "BCẠLuât").
    Cutting at case changes and at known cell endings first keeps each real word intact
    (normalize_text is length-preserving, so the pieces join back to the same length).
    Parse the NFC source first and clean the extracted pieces: cleaning never helps parsing.
    """
    if not text:
        return ""
    nfc = unicodedata.normalize("NFC", text)
    if not _CANDIDATE.search(nfc):
        return nfc
    cuts = {m.start() for m in _GLUE.finditer(nfc)} | {m.end() for m in _CELL_ENDS.finditer(nfc)}
    bounds = [0, *sorted(cuts), len(nfc)]
    return "".join(_CANDIDATE.sub(_normalize_word, nfc[a:b]) for a, b in itertools.pairwise(bounds))


# A word boundary without a space: "ngàyKhông" (lower->upper), "BCAngày" / "BCALuật" (caps->lower).
_GLUE = re.compile(rf"(?<=[{LOWER}])(?=[{UPPER}])|(?<=[{UPPER}][{UPPER}])(?=[{LOWER}])")


# Tone placement is only ambiguous where two plain vowels meet ("hoà"/"hòa", "uỷ"/"ủy", "cuả"/"của");
# a vowel with a quality mark (â ê ô ơ ư ă) or a lone vowel always carries the tone. Normalizing just
# the words with such a pair keeps the import fast (millions of words) and touches nothing else.
def _variants(letters: str) -> str:
    return "".join(sorted({unicodedata.normalize("NFC", v + t) for v in letters for t in _TONES}))


_PLAIN_VOWELS = _variants("aeiouyAEIOUY")
_CANDIDATE = re.compile(rf"[^\W\d_]*[{_PLAIN_VOWELS}][{_PLAIN_VOWELS}][^\W\d_]*")


@functools.lru_cache(maxsize=65536)
def _cached_normalize(word: str) -> str:
    return normalize_text(word)


def _normalize_word(match: re.Match[str]) -> str:
    """Few distinct words, many occurrences: cache them."""
    return _cached_normalize(match.group(0))
